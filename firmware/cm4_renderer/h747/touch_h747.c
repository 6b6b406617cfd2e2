// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The touch controller on I2C4 (PD12 SCL, PD13 SDA, AF4) with its interrupt
// line on PK7 (EXTI 7, active low). The interrupt only sets a flag; the
// I2C read happens in the main loop (touch_poll), decoding in ft5336.c.
#include <stdbool.h>

#include "ft5336.h"
#include "h747.h"
#include "h747_regs.h"

#define I2C_SPIN 200000u     // polls before an I2C step counts as failed
#define TOUCH_QUEUE 32u
#define TOUCH_INT_LINE 7u

static uint8_t addr;          // 0: no controller answered
static volatile uint32_t irq_count, irq_seen;
static ft5336_map_t map;
static ft5336_tracker_t tracker;
static ui_event_t queue[TOUCH_QUEUE];
static uint32_t q_head, q_tail;

void EXTI9_5_IRQHandler(void);
void EXTI9_5_IRQHandler(void) {
    uint32_t pr = EXTI_C2PR1 & (0x1Fu << 5);
    EXTI_C2PR1 = pr;  // write 1 to clear
    if (pr & (1u << TOUCH_INT_LINE)) {
        irq_count++;
    }
}

static void pin_af(uint32_t port, uint32_t pin, uint32_t af, bool open_drain) {
    GPIO_MODER(port) = (GPIO_MODER(port) & ~(3u << 2 * pin)) | (2u << 2 * pin);
    if (open_drain) {
        GPIO_OTYPER(port) |= 1u << pin;
    }
    GPIO_OSPEEDR(port) |= 2u << 2 * pin;
    uint32_t sh = 4u * (pin % 8u);
    GPIO_AFR(port, pin) = (GPIO_AFR(port, pin) & ~(0xFu << sh)) | (af << sh);
}

static bool wait_flag(uint32_t flag) {
    for (uint32_t i = 0; i < I2C_SPIN; i++) {
        uint32_t isr = I2C4_ISR;
        if (isr & flag) {
            return true;
        }
        if (isr & I2C_ISR_NACKF) {
            return false;
        }
    }
    return false;
}

static void end_transfer(void) {
    wait_flag(I2C_ISR_STOPF);
    I2C4_ICR = I2C_ISR_STOPF | I2C_ISR_NACKF;
}

// Write reg, then read len bytes (a repeated start between). False on NACK
// or a stuck bus.
static bool i2c_read_reg(uint8_t dev, uint8_t reg, uint8_t *buf, uint32_t len) {
    I2C4_ICR = I2C_ISR_STOPF | I2C_ISR_NACKF;
    I2C4_CR2 = ((uint32_t)dev << 1) | (1u << 16) | I2C_CR2_START;
    if (!wait_flag(I2C_ISR_TXIS)) {
        end_transfer();
        return false;
    }
    I2C4_TXDR = reg;
    if (!wait_flag(I2C_ISR_TC)) {
        end_transfer();
        return false;
    }
    I2C4_CR2 = ((uint32_t)dev << 1) | (len << 16) | I2C_CR2_RD_WRN | I2C_CR2_AUTOEND | I2C_CR2_START;
    for (uint32_t i = 0; i < len; i++) {
        if (!wait_flag(I2C_ISR_RXNE)) {
            end_transfer();
            return false;
        }
        buf[i] = (uint8_t)I2C4_RXDR;
    }
    end_transfer();
    return true;
}

// Write one register: address and value, then a stop. False on NACK or a
// stuck bus.
static bool i2c_write_reg(uint8_t dev, uint8_t reg, uint8_t value) {
    I2C4_ICR = I2C_ISR_STOPF | I2C_ISR_NACKF;
    I2C4_CR2 = ((uint32_t)dev << 1) | (2u << 16) | I2C_CR2_AUTOEND | I2C_CR2_START;
    bool ok = wait_flag(I2C_ISR_TXIS);
    if (ok) {
        I2C4_TXDR = reg;
        ok = wait_flag(I2C_ISR_TXIS);
    }
    if (ok) {
        I2C4_TXDR = value;
    }
    end_transfer();
    return ok;
}

void touch_init(int32_t width, int32_t height) {
    RCC_AHB4ENR |= RCC_AHB4ENR_GPIOEN(PORT_D) | RCC_AHB4ENR_GPIOEN(PORT_K);
    RCC_APB4ENR |= RCC_APB4ENR_I2C4EN | RCC_APB4ENR_SYSCFGEN;
    (void)RCC_APB4ENR;
    pin_af(PORT_D, 12, 4, true);
    pin_af(PORT_D, 13, 4, true);
    // 400 kHz from 100 MHz: prescaler 2 (20 ns), SCL low 66, high 59 ticks,
    // data setup 5, hold 2 ticks.
    I2C4_CR1 = 0;
    I2C4_TIMINGR = (1u << 28) | (4u << 20) | (2u << 16) | (58u << 8) | 65u;
    I2C4_CR1 = 1u;  // PE
    uint8_t status;
    addr = 0;
    if (i2c_read_reg(FT5336_ADDR_A, FT5336_REG_TD_STATUS, &status, 1)) {
        addr = FT5336_ADDR_A;
    } else if (i2c_read_reg(FT5336_ADDR_B, FT5336_REG_TD_STATUS, &status, 1)) {
        addr = FT5336_ADDR_B;
    }
    // The controller reports portrait (480 x 800); the panel is landscape.
    map = (ft5336_map_t){.swap_xy = true, .mirror_y = true, .raw_w = 800, .raw_h = 480,
                         .width = width, .height = height};
    if (addr == 0) {
        return;  // nothing to listen to
    }
    // One interrupt pulse per report (see FT5336_REG_G_MODE). If the write
    // is not taken the controller still interrupts once per touch: taps
    // work, moves do not.
    (void)i2c_write_reg(addr, FT5336_REG_G_MODE, FT5336_G_MODE_TRIGGER);
    // PK7: input with pull-up, EXTI 7 on the falling edge, this core's mask.
    GPIO_MODER(PORT_K) &= ~(3u << 2 * 7u);
    GPIO_PUPDR(PORT_K) = (GPIO_PUPDR(PORT_K) & ~(3u << 2 * 7u)) | (1u << 2 * 7u);
    SYSCFG_EXTICR(1) = (SYSCFG_EXTICR(1) & ~(0xFu << 12)) | (PORT_K << 12);
    EXTI_FTSR1 |= 1u << TOUCH_INT_LINE;
    EXTI_C2IMR1 |= 1u << TOUCH_INT_LINE;
    NVIC_ISER(EXTI9_5_IRQN / 32u) = 1u << (EXTI9_5_IRQN % 32u);
}

bool touch_pending(void) {
    return addr != 0 && irq_seen != irq_count;
}

void touch_poll(void) {
    if (!touch_pending()) {
        return;
    }
    irq_seen = irq_count;
    uint8_t report[FT5336_REPORT_LEN];
    if (!i2c_read_reg(addr, FT5336_REG_TD_STATUS, report, sizeof(report))) {
        return;
    }
    ft5336_point_t pts[FT5336_MAX_POINTS];
    int n = ft5336_parse(report, sizeof(report), pts, FT5336_MAX_POINTS);
    if (n < 0) {
        return;
    }
    ui_event_t ev[1];
    uint32_t k = ft5336_track(&tracker, &map, pts, n, ev, 1);
    if (k == 1 && q_head - q_tail < TOUCH_QUEUE) {
        queue[q_head % TOUCH_QUEUE] = ev[0];
        q_head++;
    }
}

bool touch_next(ui_event_t *e) {
    if (q_tail == q_head) {
        return false;
    }
    *e = queue[q_tail % TOUCH_QUEUE];
    q_tail++;
    return true;
}
