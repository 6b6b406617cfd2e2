// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// STM32H747I-DISCO, display variant: MicroPython on the Cortex-M7 with the
// mp_rlvgl module; the Cortex-M4 runs the renderer (firmware/cm4_renderer,
// TARGET=h747) from flash bank 2 and owns the DSI panel, LTDC, DMA2D and the
// touch controller on I2C4. The two cores share SRAM4 (the link region,
// rlvgl_backend_cm7.c) and the SDRAM (GC heap above the framebuffer).
//
// Memory (stm32h747_rlvgl.ld): flash bank 1 for this image, bank 2 for the
// CM4's; AXI SRAM for data, stack and the first heap block; D2 SRAM1-3 are
// the CM4's; SDRAM 0xD0000000: 4 MB framebuffers (CM4), 28 MB GC heap.

#define MICROPY_HW_BOARD_NAME       "STM32H747I-DISCO (mpx rlvgl)"
#define MICROPY_HW_MCU_NAME         "STM32H747XI"

#define MICROPY_FATFS_EXFAT         (1)
#define MICROPY_HW_ENABLE_RTC       (1)
#define MICROPY_HW_ENABLE_RNG       (1)
#define MICROPY_HW_ENABLE_ADC       (1)
#define MICROPY_HW_ENABLE_DAC       (1)
#define MICROPY_HW_ENABLE_USB       (1)
#define MICROPY_HW_ENABLE_SDCARD    (1)
#define MICROPY_HW_HAS_SWITCH       (1)
#define MICROPY_HW_HAS_FLASH        (1)
#define MICROPY_GC_SPLIT_HEAP       (1)

// No networking on this variant (no lwip, no ssl): the board is a display.
#define MICROPY_PY_NETWORK          (0)

// Clocks: HSE is a 25 MHz oscillator (bypass). PLL1 gives 400 MHz to the
// CM7 (the CM4 and the buses get HCLK = 200 MHz) and 50 MHz to SDMMC.
#define MICROPY_HW_CLK_USE_BYPASS       (1)
#define MICROPY_HW_CLK_PLLM             (5)
#define MICROPY_HW_CLK_PLLN             (160)
#define MICROPY_HW_CLK_PLLP             (2)
#define MICROPY_HW_CLK_PLLQ             (8)
#define MICROPY_HW_CLK_PLLR             (2)
#define MICROPY_HW_CLK_PLLVCI           (RCC_PLL1VCIRANGE_2)
#define MICROPY_HW_CLK_PLLVCO           (RCC_PLL1VCOWIDE)
#define MICROPY_HW_CLK_PLLFRAC          (0)
// PLL2: 240 MHz for the FMC (SDRAM clock 120 MHz) and QSPI.
#define MICROPY_HW_CLK_PLL2M            (5)
#define MICROPY_HW_CLK_PLL2N            (96)
#define MICROPY_HW_CLK_PLL2P            (2)
#define MICROPY_HW_CLK_PLL2Q            (2)
#define MICROPY_HW_CLK_PLL2R            (2)
#define MICROPY_HW_CLK_PLL2VCI          (RCC_PLL2VCIRANGE_2)
#define MICROPY_HW_CLK_PLL2VCO          (RCC_PLL2VCOWIDE)
#define MICROPY_HW_CLK_PLL2FRAC         (0)
// PLL3 (480 MHz VCO): 48 MHz for USB on Q, and on R the LTDC pixel clock
// of the CM4's display, 480 / 18 = 26.67 MHz (800x480 at about 34 Hz with ST's
// NT35510 porches, as ST's BSP sets them; see firmware/cm4_renderer/h747). PLL3R is the LTDC's
// and nothing else's: the ADC takes PLL2P instead.
#define MICROPY_HW_CLK_PLL3M            (5)
#define MICROPY_HW_CLK_PLL3N            (96)
#define MICROPY_HW_CLK_PLL3P            (10)
#define MICROPY_HW_CLK_PLL3Q            (10)
#define MICROPY_HW_CLK_PLL3R            (18)
#define MICROPY_HW_CLK_PLL3VCI          (RCC_PLL3VCIRANGE_2)
#define MICROPY_HW_CLK_PLL3VCO          (RCC_PLL3VCOWIDE)
#define MICROPY_HW_CLK_PLL3FRAC         (0)
#define MICROPY_HW_CLK_AHB_DIV          (RCC_HCLK_DIV2)
#define MICROPY_HW_CLK_APB1_DIV         (RCC_APB1_DIV2)
#define MICROPY_HW_CLK_APB2_DIV         (RCC_APB2_DIV2)
#define MICROPY_HW_CLK_APB3_DIV         (RCC_APB3_DIV2)
#define MICROPY_HW_CLK_APB4_DIV         (RCC_APB4_DIV2)
#define MICROPY_HW_FLASH_LATENCY        (FLASH_LATENCY_2)

#define MICROPY_HW_RCC_HSI48_STATE      (RCC_HSI48_ON)
#define MICROPY_HW_RCC_USB_CLKSOURCE    (RCC_USBCLKSOURCE_PLL3)
#define MICROPY_HW_RCC_FMC_CLKSOURCE    (RCC_FMCCLKSOURCE_PLL2)
#define MICROPY_HW_RCC_QSPI_CLKSOURCE   (RCC_QSPICLKSOURCE_PLL2)
#define MICROPY_HW_RCC_RNG_CLKSOURCE    (RCC_RNGCLKSOURCE_HSI48)
#define MICROPY_HW_RCC_ADC_CLKSOURCE    (RCC_ADCCLKSOURCE_PLL2)
#define MICROPY_HW_RCC_SDMMC_CLKSOURCE  (RCC_SDMMCCLKSOURCE_PLL)
#define MICROPY_HW_RCC_FDCAN_CLKSOURCE  (RCC_FDCANCLKSOURCE_PLL)

// The DISCO's supply: the SMPS feeds the core directly.
#define MICROPY_HW_PWR_SMPS_CONFIG      (PWR_DIRECT_SMPS_SUPPLY)

#define MICROPY_HW_ANALOG_SWITCH_PA0    (SYSCFG_SWITCH_PA0_OPEN)
#define MICROPY_HW_ANALOG_SWITCH_PA1    (SYSCFG_SWITCH_PA1_OPEN)
#define MICROPY_HW_ANALOG_SWITCH_PC2    (SYSCFG_SWITCH_PC2_OPEN)
#define MICROPY_HW_ANALOG_SWITCH_PC3    (SYSCFG_SWITCH_PC3_OPEN)

#define MICROPY_HW_RTC_USE_LSE          (1)
#define MICROPY_HW_RTC_USE_US           (1)
#define MICROPY_HW_RTC_USE_CALOUT       (0)

// Filesystem on bank 1 of the QSPI NOR flash (MT25QL512, used as 16 MB).
#define MICROPY_HW_ENABLE_INTERNAL_FLASH_STORAGE (0)
#define MICROPY_HW_SPIFLASH_ENABLE_CACHE    (1)
#define MICROPY_HW_SPIFLASH_CHIP_PARAMS     (1)
#define MICROPY_HW_QSPIFLASH_DUMMY_CYCLES   (4)
#define MICROPY_HW_QSPI_PRESCALER           (2)     // 240 MHz / 2
#define MICROPY_HW_QSPIFLASH_SIZE_BITS_LOG2 (27)
#define MICROPY_HW_SPIFLASH_SIZE_BITS       (128 * 1024 * 1024)
#define MICROPY_HW_QSPIFLASH_CS             (pyb_pin_QSPI_BK1_NCS)
#define MICROPY_HW_QSPIFLASH_SCK            (pyb_pin_QSPI_CLK)
#define MICROPY_HW_QSPIFLASH_IO0            (pyb_pin_QSPI_BK1_IO0)
#define MICROPY_HW_QSPIFLASH_IO1            (pyb_pin_QSPI_BK1_IO1)
#define MICROPY_HW_QSPIFLASH_IO2            (pyb_pin_QSPI_BK1_IO2)
#define MICROPY_HW_QSPIFLASH_IO3            (pyb_pin_QSPI_BK1_IO3)
extern const struct _mp_spiflash_config_t spiflash_config;
extern struct _spi_bdev_t spi_bdev;
#define MICROPY_HW_BDEV_SPIFLASH            (&spi_bdev)
#define MICROPY_HW_BDEV_SPIFLASH_CONFIG     (&spiflash_config)
#define MICROPY_HW_BDEV_SPIFLASH_SIZE_BYTES (MICROPY_HW_SPIFLASH_SIZE_BITS / 8)
#define MICROPY_HW_BDEV_SPIFLASH_EXTENDED   (&spi_bdev)

// UART1 goes to the ST-LINK's virtual COM port.
#define MICROPY_HW_UART1_TX         (pyb_pin_UART1_TX)
#define MICROPY_HW_UART1_RX         (pyb_pin_UART1_RX)
#define MICROPY_HW_UART8_TX         (pin_J8)
#define MICROPY_HW_UART8_RX         (pin_J9)

// I2C4 (PD12/PD13) belongs to the CM4 (the touch controller): not offered
// here. SPI5 is on the Arduino header.
#define MICROPY_HW_SPI5_NSS         (pin_K1)
#define MICROPY_HW_SPI5_SCK         (pin_K0)
#define MICROPY_HW_SPI5_MISO        (pin_J11)
#define MICROPY_HW_SPI5_MOSI        (pin_J10)

// The user button pulls PC13 high.
#define MICROPY_HW_USRSW_PIN        (pin_C13)
#define MICROPY_HW_USRSW_PULL       (GPIO_NOPULL)
#define MICROPY_HW_USRSW_EXTI_MODE  (GPIO_MODE_IT_RISING)
#define MICROPY_HW_USRSW_PRESSED    (1)

// LEDs, active low: green, orange, red, blue.
#define MICROPY_HW_LED1             (pin_I12)
#define MICROPY_HW_LED2             (pin_I13)
#define MICROPY_HW_LED3             (pin_I14)
#define MICROPY_HW_LED4             (pin_I15)
#define MICROPY_HW_LED_ON(pin)      (mp_hal_pin_low(pin))
#define MICROPY_HW_LED_OFF(pin)     (mp_hal_pin_high(pin))

// USB high speed through the USB3320 ULPI PHY.
#define MICROPY_HW_USB_HS           (1)
#define MICROPY_HW_USB_HS_ULPI      (1)
#define MICROPY_HW_USB_HS_ULPI3320  (1)
#define MICROPY_HW_USB_HS_ULPI_NXT  (pyb_pin_USB_HS_NXT)
#define MICROPY_HW_USB_HS_ULPI_STP  (pyb_pin_USB_HS_STP)
#define MICROPY_HW_USB_HS_ULPI_DIR  (pyb_pin_USB_HS_DIR)
#define MICROPY_HW_USB_MAIN_DEV     (USB_PHY_HS_ID)
#define GPIO_AF10_OTG_HS            (GPIO_AF10_OTG1_HS)
#define MICROPY_HW_USB_CDC_RX_DATA_SIZE (1024)
#define MICROPY_HW_USB_CDC_TX_DATA_SIZE (1024)

// microSD on SDMMC1, 4-bit.
#define MICROPY_HW_SDCARD_SDMMC     (1)
#define MICROPY_HW_SDCARD_CK        (pyb_pin_SDMMC1_CK)
#define MICROPY_HW_SDCARD_CMD       (pyb_pin_SDMMC1_CMD)
#define MICROPY_HW_SDCARD_D0        (pyb_pin_SDMMC1_D0)
#define MICROPY_HW_SDCARD_D1        (pyb_pin_SDMMC1_D1)
#define MICROPY_HW_SDCARD_D2        (pyb_pin_SDMMC1_D2)
#define MICROPY_HW_SDCARD_D3        (pyb_pin_SDMMC1_D3)
#define MICROPY_HW_SDCARD_DETECT_PIN        (pyb_pin_SD_DETECT)
#define MICROPY_HW_SDCARD_DETECT_PULL       (GPIO_PULLUP)
#define MICROPY_HW_SDCARD_DETECT_PRESENT    (GPIO_PIN_RESET)

// SDRAM (sdram.c pastes the bare numbers of some of these into HAL names,
// hence no parentheses): IS42S32800J (32 MB, 32-bit bus) on FMC bank 2 (SDNE1/SDCKE1),
// so at 0xD0000000. FMC kernel clock 240 MHz, SDCLK = 120 MHz (8.33 ns);
// MicroPython's sdram.c initialises it before main, long before the CM4
// is released, and maps all of it cacheable for the CM7 (the CM7 never
// touches the framebuffer part, which only the CM4 and the LTDC use).
#define MICROPY_HW_SDRAM_SIZE               (32 * 1024 * 1024)
#define MICROPY_HW_SDRAM_STARTUP_TEST       (1)
#define MICROPY_HW_SDRAM_TEST_FAIL_ON_ERROR (1)
#define MICROPY_HW_SDRAM_CLOCK_PERIOD       2
#define MICROPY_HW_SDRAM_CAS_LATENCY        2
#define MICROPY_HW_SDRAM_FREQUENCY_KHZ      (120000)
#define MICROPY_HW_SDRAM_TIMING_TMRD        (2)
#define MICROPY_HW_SDRAM_TIMING_TXSR        (6)
#define MICROPY_HW_SDRAM_TIMING_TRAS        (4)
#define MICROPY_HW_SDRAM_TIMING_TRC         (6)
#define MICROPY_HW_SDRAM_TIMING_TWR         (2)
#define MICROPY_HW_SDRAM_TIMING_TRP         (2)
#define MICROPY_HW_SDRAM_TIMING_TRCD        (2)
#define MICROPY_HW_SDRAM_ROW_BITS_NUM       12
#define MICROPY_HW_SDRAM_COLUMN_BITS_NUM    9
#define MICROPY_HW_SDRAM_MEM_BUS_WIDTH      32
#define MICROPY_HW_SDRAM_INTERN_BANKS_NUM   4
#define MICROPY_HW_SDRAM_REFRESH_CYCLES     (4096)
#define MICROPY_HW_SDRAM_REFRESH_RATE       (64)    // ms
#define MICROPY_HW_SDRAM_AUTOREFRESH_NUM    (8)
#define MICROPY_HW_SDRAM_BURST_LENGTH       1
#define MICROPY_HW_SDRAM_RPIPE_DELAY        0
#define MICROPY_HW_SDRAM_RBURST             (1)
#define MICROPY_HW_SDRAM_WRITE_PROTECTION   (0)

#define MICROPY_HW_FMC_SDCKE1       (pyb_pin_FMC_SDCKE1)
#define MICROPY_HW_FMC_SDNE1        (pyb_pin_FMC_SDNE1)
#define MICROPY_HW_FMC_SDCLK        (pyb_pin_FMC_SDCLK)
#define MICROPY_HW_FMC_SDNCAS       (pyb_pin_FMC_SDNCAS)
#define MICROPY_HW_FMC_SDNRAS       (pyb_pin_FMC_SDNRAS)
#define MICROPY_HW_FMC_SDNWE        (pyb_pin_FMC_SDNWE)
#define MICROPY_HW_FMC_BA0          (pyb_pin_FMC_BA0)
#define MICROPY_HW_FMC_BA1          (pyb_pin_FMC_BA1)
#define MICROPY_HW_FMC_NBL0         (pyb_pin_FMC_NBL0)
#define MICROPY_HW_FMC_NBL1         (pyb_pin_FMC_NBL1)
#define MICROPY_HW_FMC_NBL2         (pyb_pin_FMC_NBL2)
#define MICROPY_HW_FMC_NBL3         (pyb_pin_FMC_NBL3)
#define MICROPY_HW_FMC_A0           (pyb_pin_FMC_A0)
#define MICROPY_HW_FMC_A1           (pyb_pin_FMC_A1)
#define MICROPY_HW_FMC_A2           (pyb_pin_FMC_A2)
#define MICROPY_HW_FMC_A3           (pyb_pin_FMC_A3)
#define MICROPY_HW_FMC_A4           (pyb_pin_FMC_A4)
#define MICROPY_HW_FMC_A5           (pyb_pin_FMC_A5)
#define MICROPY_HW_FMC_A6           (pyb_pin_FMC_A6)
#define MICROPY_HW_FMC_A7           (pyb_pin_FMC_A7)
#define MICROPY_HW_FMC_A8           (pyb_pin_FMC_A8)
#define MICROPY_HW_FMC_A9           (pyb_pin_FMC_A9)
#define MICROPY_HW_FMC_A10          (pyb_pin_FMC_A10)
#define MICROPY_HW_FMC_A11          (pyb_pin_FMC_A11)
#define MICROPY_HW_FMC_A12          (pyb_pin_FMC_A12)
#define MICROPY_HW_FMC_D0           (pyb_pin_FMC_D0)
#define MICROPY_HW_FMC_D1           (pyb_pin_FMC_D1)
#define MICROPY_HW_FMC_D2           (pyb_pin_FMC_D2)
#define MICROPY_HW_FMC_D3           (pyb_pin_FMC_D3)
#define MICROPY_HW_FMC_D4           (pyb_pin_FMC_D4)
#define MICROPY_HW_FMC_D5           (pyb_pin_FMC_D5)
#define MICROPY_HW_FMC_D6           (pyb_pin_FMC_D6)
#define MICROPY_HW_FMC_D7           (pyb_pin_FMC_D7)
#define MICROPY_HW_FMC_D8           (pyb_pin_FMC_D8)
#define MICROPY_HW_FMC_D9           (pyb_pin_FMC_D9)
#define MICROPY_HW_FMC_D10          (pyb_pin_FMC_D10)
#define MICROPY_HW_FMC_D11          (pyb_pin_FMC_D11)
#define MICROPY_HW_FMC_D12          (pyb_pin_FMC_D12)
#define MICROPY_HW_FMC_D13          (pyb_pin_FMC_D13)
#define MICROPY_HW_FMC_D14          (pyb_pin_FMC_D14)
#define MICROPY_HW_FMC_D15          (pyb_pin_FMC_D15)
#define MICROPY_HW_FMC_D16          (pyb_pin_FMC_D16)
#define MICROPY_HW_FMC_D17          (pyb_pin_FMC_D17)
#define MICROPY_HW_FMC_D18          (pyb_pin_FMC_D18)
#define MICROPY_HW_FMC_D19          (pyb_pin_FMC_D19)
#define MICROPY_HW_FMC_D20          (pyb_pin_FMC_D20)
#define MICROPY_HW_FMC_D21          (pyb_pin_FMC_D21)
#define MICROPY_HW_FMC_D22          (pyb_pin_FMC_D22)
#define MICROPY_HW_FMC_D23          (pyb_pin_FMC_D23)
#define MICROPY_HW_FMC_D24          (pyb_pin_FMC_D24)
#define MICROPY_HW_FMC_D25          (pyb_pin_FMC_D25)
#define MICROPY_HW_FMC_D26          (pyb_pin_FMC_D26)
#define MICROPY_HW_FMC_D27          (pyb_pin_FMC_D27)
#define MICROPY_HW_FMC_D28          (pyb_pin_FMC_D28)
#define MICROPY_HW_FMC_D29          (pyb_pin_FMC_D29)
#define MICROPY_HW_FMC_D30          (pyb_pin_FMC_D30)
#define MICROPY_HW_FMC_D31          (pyb_pin_FMC_D31)

// After the clocks: hand PLL3R to the LTDC (board_init.c). In stop and
// standby the SDRAM keeps its contents in self-refresh.
#define MICROPY_BOARD_EARLY_INIT    rlvgl_board_early_init
void rlvgl_board_early_init(void);
void rlvgl_board_low_power(int mode);
#define MICROPY_BOARD_LEAVE_STOP    rlvgl_board_low_power(0);
#define MICROPY_BOARD_ENTER_STOP    rlvgl_board_low_power(1);
#define MICROPY_BOARD_ENTER_STANDBY rlvgl_board_low_power(2);
