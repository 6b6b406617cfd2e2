// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The parts of the STM32H747I-DISCO renderer layer that are not register
// pokes (firmware/cm4_renderer/h747): the FT5336 touch report decoder and
// tap/move tracker, the panel choice by ID, the LTDC timing registers.
#include "disco_panel.h"
#include "ft5336.h"
#include "mpx_test.h"
#include "rlvgl_cm4_image.h"

#include <stdio.h>
#include <string.h>

unsigned mpx_test_checks, mpx_test_failures;

static void test_ltdc_timing(void) {
    ltdc_timing_regs_t r;
    CHECK_EQ(panel_ltdc_timing(&panel_timing_800x480, &r), 0);
    // HSYNC 2, HBP 34, 800 wide, HFP 34; VSYNC 120, VBP 150, 480 high, VFP
    // 150 (ST's NT35510 lines, which its BSP gives both panels): each
    // register holds the running sum minus one.
    CHECK_EQ(r.sscr, (1u << 16) | 119u);
    CHECK_EQ(r.bpcr, (35u << 16) | 269u);
    CHECK_EQ(r.awcr, (835u << 16) | 749u);
    CHECK_EQ(r.twcr, (869u << 16) | 899u);
    CHECK_EQ(panel_frame_pixels(&panel_timing_800x480), 870u * 900u);
    // 26 666 666 Hz / 783 000 pixels = 34.057 Hz.
    CHECK_EQ(panel_refresh_mhz(&panel_timing_800x480, 480000000u / 18u), 34057u);
}

static void test_panel_choice(void) {
    CHECK_EQ(panel_choose(0x80, -1), PANEL_NT35510);
    CHECK_EQ(panel_choose(-1, 0x40), PANEL_OTM8009A);
    CHECK_EQ(panel_choose(0, 0), PANEL_UNKNOWN);
    CHECK_EQ(panel_choose(-1, -1), PANEL_UNKNOWN);
}

static void test_touch_reports(void) {
    uint8_t rep[FT5336_REPORT_LEN] = {1, 0x01, 0x2c, 0x20, 0x64};  // down, x 300, id 2, y 100
    ft5336_point_t p[5];
    CHECK_EQ(ft5336_parse(rep, sizeof rep, p, 5), 1);
    CHECK(p[0].x == 300 && p[0].y == 100 && p[0].id == 2 && p[0].event == FT5336_DOWN);
    uint8_t six_points[2] = {6, 0};  // more points than the controller has
    CHECK_EQ(ft5336_parse(six_points, sizeof six_points, p, 5), -1);
    CHECK_EQ(ft5336_parse(rep, 3, p, 5), -1);  // shorter than its own count says
    uint8_t none[FT5336_REPORT_LEN] = {0};
    CHECK_EQ(ft5336_parse(none, sizeof none, p, 5), 0);
}

static void test_tracker(void) {
    uint8_t rep[FT5336_REPORT_LEN] = {1, 0x01, 0x2c, 0x20, 0x64};
    ft5336_point_t p[5];
    CHECK_EQ(ft5336_parse(rep, sizeof rep, p, 5), 1);
    ft5336_map_t m = {.swap_xy = true, .mirror_y = true, .raw_w = 800, .raw_h = 480, .width = 800,
        .height = 480};
    ft5336_tracker_t t = {0};
    ui_event_t e[2];
    // Touch down: a tap where the finger is, mapped to the panel.
    CHECK_EQ(ft5336_track(&t, &m, p, 1, e, 2), 1);
    CHECK(e[0].kind == UI_EV_TAP && e[0].x == 100 && e[0].y == 179);
    // Held still: nothing new.
    CHECK_EQ(ft5336_track(&t, &m, p, 1, e, 2), 0);
    // Moved: a move event.
    p[0].event = FT5336_CONTACT;
    p[0].y = 110;
    CHECK_EQ(ft5336_track(&t, &m, p, 1, e, 2), 1);
    CHECK(e[0].kind == UI_EV_MOVE && e[0].x == 110);
    // Lifted.
    CHECK_EQ(ft5336_track(&t, &m, p, 0, e, 2), 0);
    CHECK(!t.down);
}

// The CM7's check before it releases the CM4 (rlvgl_backend_cm7.c).
static void test_cm4_image_check(void) {
    const uint32_t base = 0x08100000u;
    // What firmware/cm4_renderer/h747/h747.ld links: SP at the top of D2
    // SRAM (0x10000000 + 288 KiB), the reset handler in bank 2, Thumb.
    CHECK_EQ(rlvgl_cm4_image_check(base, 0x10048000u, 0x081001C5u), RLVGL_CM4_IMAGE_OK);
    CHECK_EQ(rlvgl_cm4_image_check(base, 0x30048000u, 0x08100401u), RLVGL_CM4_IMAGE_OK);
    CHECK_EQ(rlvgl_cm4_image_check(base, 0xD0800000u, 0x081FFFF1u), RLVGL_CM4_IMAGE_OK);
    // A firmware.dfu without the CM4 element: bank 2 stays erased.
    CHECK_EQ(rlvgl_cm4_image_check(base, 0xFFFFFFFFu, 0xFFFFFFFFu), RLVGL_CM4_IMAGE_ERASED);
    // Something else there.
    CHECK_EQ(rlvgl_cm4_image_check(base, 0x20020000u, 0x081001C5u), RLVGL_CM4_IMAGE_INVALID);  // CM7 DTCM
    CHECK_EQ(rlvgl_cm4_image_check(base, 0x10048000u, 0x080001C5u), RLVGL_CM4_IMAGE_INVALID);  // CM7's bank
    CHECK_EQ(rlvgl_cm4_image_check(base, 0x10048000u, 0x082001C5u), RLVGL_CM4_IMAGE_INVALID);  // past the bank
    CHECK_EQ(rlvgl_cm4_image_check(base, 0x10048000u, 0x081001C4u), RLVGL_CM4_IMAGE_INVALID);  // not Thumb
    CHECK_EQ(rlvgl_cm4_image_check(base, 0x10000000u, 0x081001C5u), RLVGL_CM4_IMAGE_INVALID);  // empty stack
    CHECK_EQ(rlvgl_cm4_image_check(base, 0x10048004u, 0x081001C5u), RLVGL_CM4_IMAGE_INVALID);  // past the RAM
    CHECK_EQ(rlvgl_cm4_image_check(base, 0x00000000u, 0x00000000u), RLVGL_CM4_IMAGE_INVALID);
    CHECK_EQ(rlvgl_cm4_image_check(base, 0xFFFFFFFFu, 0x081001C5u), RLVGL_CM4_IMAGE_INVALID);
    char err[200];
    rlvgl_cm4_image_error(RLVGL_CM4_IMAGE_ERASED, base, 0xFFFFFFFFu, 0xFFFFFFFFu, err, sizeof(err));
    CHECKF(strstr(err, "0x08100000 is erased") != NULL && strstr(err, "firmware.dfu") != NULL, "%s", err);
    rlvgl_cm4_image_error(RLVGL_CM4_IMAGE_INVALID, base, 0x20020000u, 0x081001C5u, err, sizeof(err));
    CHECKF(strstr(err, "stack 0x20020000") != NULL, "%s", err);
}

int main(void) {
    RUN_TEST(test_ltdc_timing);
    RUN_TEST(test_panel_choice);
    RUN_TEST(test_touch_reports);
    RUN_TEST(test_tracker);
    RUN_TEST(test_cm4_image_check);
    printf("%u checks, %u failed\n", mpx_test_checks, mpx_test_failures);
    return mpx_test_failures != 0;
}
