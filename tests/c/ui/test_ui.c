// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// lib/ui: areas, UTF-8, the raster in both formats, the font, the scene and
// its damage tracking (an incremental redraw must equal a full one), the
// wire records (including hostile ones), and renderer + client in one thread.
#include <stdlib.h>

#include "mpx_test.h"
#include "ui_link.h"

MPX_TEST_MAIN_DEFS

static void test_area(void) {
    ui_area_t a = {0, 0, 10, 10}, b = {5, 5, 20, 8}, out;
    CHECK(ui_area_intersect(&out, &a, &b));
    CHECK(out.x0 == 5 && out.y0 == 5 && out.x1 == 10 && out.y1 == 8);
    ui_area_t c = {10, 0, 12, 10};  // touches a's edge: half-open, no overlap
    CHECK(!ui_area_intersect(&out, &a, &c));
    ui_area_union(&out, &a, &b);
    CHECK(out.x0 == 0 && out.y0 == 0 && out.x1 == 20 && out.y1 == 10);
    ui_area_t empty = {3, 3, 3, 9};
    ui_area_union(&out, &empty, &b);
    CHECK(out.x0 == 5 && out.x1 == 20);
    CHECK(ui_area_contains(&a, &empty));
    CHECK(!ui_area_contains(&a, &b));
    CHECK(ui_area_has_point(&a, 0, 9) && !ui_area_has_point(&a, 10, 0));
    CHECK_EQ(ui_area_size(&empty), 0);
    CHECK_EQ(ui_area_size(&b), 45);
}

static void test_utf8(void) {
    struct {
        const char *s;
        uint32_t cp[4];
        size_t n;
    } cases[] = {
        {"A", {'A'}, 1},
        {"\xc3\xa9", {0xe9}, 1},
        {"\xe2\x82\xac!", {0x20ac, '!'}, 2},
        {"\xf0\x9f\x98\x80", {0x1f600}, 1},
        {"\xc3", {UI_CHAR_INVALID}, 1},                       // truncated
        {"\xc0\xaf", {UI_CHAR_INVALID, UI_CHAR_INVALID}, 2},  // overlong
        {"\xed\xa0\x80", {UI_CHAR_INVALID, UI_CHAR_INVALID, UI_CHAR_INVALID}, 3},  // surrogate
        {"\xff" "a", {UI_CHAR_INVALID, 'a'}, 2},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        size_t len = strlen(cases[k].s), i = 0, n = 0;
        uint32_t got[8];
        while (i < len && n < 8) {
            got[n++] = ui_utf8_next(cases[k].s, len, &i);
        }
        CHECKF(n == cases[k].n, "case %u: %u chars", (unsigned)k, (unsigned)n);
        for (size_t j = 0; j < n && j < cases[k].n; j++) {
            CHECKF(got[j] == cases[k].cp[j], "case %u char %u", (unsigned)k, (unsigned)j);
        }
    }
}

static uint32_t fbmem[320 * 240];

static void test_raster(void) {
    static const ui_format_t formats[] = {UI_FMT_RGB565, UI_FMT_ARGB8888};
    for (int f = 0; f < 2; f++) {
        ui_fb_t fb;
        CHECK_EQ(ui_fb_init(&fb, fbmem, sizeof(fbmem), 320, 240, formats[f]), UI_OK);
        ui_area_t all = {0, 0, 320, 240};
        CHECK_EQ(ui_draw_fill(&fb, &all, &all, 0x000000), 320 * 240);
        // Partly off screen: clipped to the 10x10 that shows.
        ui_area_t r = {-5, -5, 10, 10};
        CHECK_EQ(ui_draw_fill(&fb, &all, &r, 0xff00ff), 100);
        CHECK_EQ(ui_fb_get(&fb, 0, 0), 0xff00ff);
        CHECK_EQ(ui_fb_get(&fb, 9, 9), 0xff00ff);
        CHECK_EQ(ui_fb_get(&fb, 10, 9), 0);
        ui_area_t far = {400, 0, 500, 10};
        CHECK_EQ(ui_draw_fill(&fb, &all, &far, 0xffffff), 0);
        // A clip narrower than the area.
        ui_area_t clip = {2, 2, 4, 4};
        ui_area_t big = {0, 0, 320, 240};
        CHECK_EQ(ui_draw_fill(&fb, &clip, &big, 0x00ff00), 4);
        CHECK_EQ(ui_fb_get(&fb, 2, 2), 0x00ff00);
        CHECK_EQ(ui_fb_get(&fb, 4, 2), 0xff00ff);

        // Text: every pixel of "A" is the font's bit, fg or bg.
        CHECK_EQ(ui_draw_fill(&fb, &all, &all, 0), 320 * 240);
        CHECK_EQ(ui_draw_text(&fb, &all, 100, 50, "A\xc3\xa9\xe4\xb8\x80", 6, 0xffffff, 0x0000ff),
            3 * 8 * 16);
        const uint8_t *ga = ui_font_glyph('A');
        const uint8_t *ge = ui_font_glyph(0xe9);
        CHECK(ga != NULL && ge != NULL && ui_font_glyph(0x4e00) == NULL);
        uint32_t wrong = 0;
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 8; x++) {
                uint32_t want_a = (ga[y] << x) & 0x80 ? 0xffffffu : 0x0000ffu;
                uint32_t want_e = (ge[y] << x) & 0x80 ? 0xffffffu : 0x0000ffu;
                uint32_t want_box = (ui_font_replacement[y] << x) & 0x80 ? 0xffffffu : 0x0000ffu;
                wrong += ui_fb_get(&fb, 100 + x, 50 + y) != want_a;
                wrong += ui_fb_get(&fb, 108 + x, 50 + y) != want_e;
                wrong += ui_fb_get(&fb, 116 + x, 50 + y) != want_box;
            }
        }
        CHECK_EQ(wrong, 0);
        // Clipped at the left and top edges, and a second line.
        CHECK_EQ(ui_draw_text(&fb, &all, -3, -10, "AB\nC", 4, 0xffffff, 0), 5 * 6 + 8 * 6 + 5 * 16);
        CHECK_EQ(ui_fb_get(&fb, 0, 6), ((ui_font_glyph('C')[0] << 3) & 0x80) ? 0xffffffu : 0u);
    }
    // RGB565 packs and widens by bit replication.
    ui_fb_t fb;
    CHECK_EQ(ui_fb_init(&fb, fbmem, sizeof(fbmem), 320, 240, UI_FMT_RGB565), UI_OK);
    CHECK_EQ(ui_fb_pixel(&fb, 0xff8000), 0xfc00);
    CHECK_EQ(ui_fb_init(&fb, fbmem, 100, 320, 240, UI_FMT_RGB565), UI_E_CONFIG);
    CHECK_EQ(ui_fb_init(&fb, fbmem, sizeof(fbmem), 320, 240, (ui_format_t)3), UI_E_CONFIG);
    CHECK(ui_font_count() > 500);
}

// Fills of every alignment: an RGB565 row may start or end half way
// through a 32-bit word (odd x, odd width, or a stride of 2 mod 4), and
// whole rows go out as one span. Every pixel is checked, inside and out.
static void test_fill_spans(void) {
    static const ui_format_t formats[] = {UI_FMT_RGB565, UI_FMT_ARGB8888};
    static const ui_area_t areas[] = {
        {0, 0, 37, 9},    // the whole framebuffer: one span
        {0, 1, 37, 4},    // whole rows from row 1 (2 mod 4 bytes in RGB565)
        {1, 0, 2, 9},     // one column at an odd x
        {1, 1, 4, 3},     // odd start, odd width
        {2, 2, 19, 8},    // even start, odd width
        {3, 0, 36, 9},    // odd start, 33 px: the unrolled loop and its tail
        {0, 3, 36, 4},    // one row, all but the last pixel
        {-4, -4, 100, 5}, // clipped on three sides
    };
    for (int f = 0; f < 2; f++) {
        for (size_t k = 0; k < sizeof(areas) / sizeof(areas[0]); k++) {
            ui_fb_t fb;
            CHECK_EQ(ui_fb_init(&fb, fbmem, sizeof(fbmem), 37, 9, formats[f]), UI_OK);
            ui_area_t all = {0, 0, 37, 9};
            // Equal and unequal bytes in either format.
            uint32_t bg = k % 2 ? 0xffffffu : 0x0000ffu, fg = k % 2 ? 0x123456u : 0x000000u;
            ui_draw_fill(&fb, &all, &all, bg);
            ui_area_t in = {0, 0, 0, 0};
            uint32_t want =
                ui_area_intersect(&in, &all, &areas[k]) ? (uint32_t)ui_area_size(&in) : 0;
            CHECK_EQ(ui_draw_fill(&fb, &all, &areas[k], fg), want);
            uint32_t wrong = 0;
            for (int32_t y = 0; y < 9; y++) {
                for (int32_t x = 0; x < 37; x++) {
                    bool inside = want != 0 && ui_area_has_point(&in, x, y);
                    uint32_t c = ui_fb_get(&fb, x, y) & (f == 0 ? 0xf8fcf8u : 0xffffffu);
                    wrong += c != ((inside ? fg : bg) & (f == 0 ? 0xf8fcf8u : 0xffffffu));
                }
            }
            CHECKF(wrong == 0, "format %d area %u: %u pixels wrong", f, (unsigned)k,
                (unsigned)wrong);
        }
        // A clip narrower than the area, at an odd x.
        ui_fb_t fb;
        CHECK_EQ(ui_fb_init(&fb, fbmem, sizeof(fbmem), 37, 9, formats[f]), UI_OK);
        ui_area_t all = {0, 0, 37, 9}, clip = {5, 2, 6, 7};
        ui_draw_fill(&fb, &all, &all, 0);
        CHECK_EQ(ui_draw_fill(&fb, &clip, &all, 0xff00ff), 5);
        CHECK(ui_fb_get(&fb, 4, 2) == 0 && ui_fb_get(&fb, 5, 2) == 0xff00ff);
        CHECK(ui_fb_get(&fb, 5, 6) == 0xff00ff && ui_fb_get(&fb, 6, 6) == 0);
        CHECK(ui_fb_get(&fb, 5, 7) == 0 && ui_fb_get(&fb, 5, 1) == 0);
    }
}

static void test_dirty(void) {
    ui_dirty_t d;
    ui_area_t screen = {0, 0, 100, 100};
    ui_dirty_reset(&d);
    ui_area_t a = {10, 10, 20, 20}, inside = {12, 12, 15, 15}, off = {200, 0, 300, 10};
    ui_dirty_add(&d, &screen, &a);
    ui_dirty_add(&d, &screen, &inside);
    ui_dirty_add(&d, &screen, &off);
    CHECK_EQ(d.count, 1);
    // Next to it: the joined box is no bigger than both, so one area.
    ui_area_t next = {20, 10, 30, 20};
    ui_dirty_add(&d, &screen, &next);
    CHECK_EQ(d.count, 1);
    CHECK(d.areas[0].x0 == 10 && d.areas[0].x1 == 30);
    // Far away: kept apart.
    ui_area_t apart = {80, 80, 85, 85};
    ui_dirty_add(&d, &screen, &apart);
    CHECK_EQ(d.count, 2);
    // Overflow: a full redraw.
    for (int i = 0; i < UI_DIRTY_MAX + 2; i++) {
        ui_area_t dot = {i * 5, 50 + (i % 2) * 20, i * 5 + 1, 51 + (i % 2) * 20};
        ui_dirty_add(&d, &screen, &dot);
    }
    CHECK(d.full);
}

#define SW 160
#define SH 120
static uint32_t px_a[SW * SH], px_b[SW * SH];
static _Alignas(8) uint8_t scene_a[UI_SCENE_MEM(64)], scene_b[UI_SCENE_MEM(64)];

static void random_node(uint32_t *x, ui_node_t *n) {
    static const char *texts[] = {"Hi", "OK\nno", "\xc3\xa9t\xc3\xa9", "", "count: 12"};
    memset(n, 0, sizeof(*n));
    *x = *x * 1103515245u + 12345u;
    n->kind = (*x >> 30) ? UI_KIND_RECT : UI_KIND_TEXT;
    *x = *x * 1103515245u + 12345u;
    n->x = (int16_t)((int32_t)((*x >> 16) % 200u) - 20);
    n->y = (int16_t)((int32_t)((*x >> 8) % 150u) - 15);
    *x = *x * 1103515245u + 12345u;
    n->w = (uint16_t)((*x >> 16) % 60u);
    n->h = (uint16_t)((*x >> 8) % 40u);
    n->color = *x & 0xffffffu;
    n->bg = (*x >> 3) & 0xffffffu;
    if (n->kind == UI_KIND_TEXT) {
        const char *t = texts[(*x >> 20) % 5u];
        n->text_len = (uint16_t)strlen(t);
        memcpy(n->text, t, n->text_len);
    }
}

static void test_scene_incremental_equals_full(void) {
    ui_fb_t fa, fb;
    ui_scene_t a, b;
    CHECK_EQ(ui_fb_init(&fa, px_a, sizeof(px_a), SW, SH, UI_FMT_ARGB8888), UI_OK);
    CHECK_EQ(ui_fb_init(&fb, px_b, sizeof(px_b), SW, SH, UI_FMT_ARGB8888), UI_OK);
    CHECK_EQ(ui_scene_init(&a, scene_a, sizeof(scene_a), 64, &fa, 0x102030), UI_OK);
    CHECK_EQ(ui_scene_init(&b, scene_b, sizeof(scene_b), 64, &fb, 0x102030), UI_OK);
    uint32_t x = 99, mismatched_frames = 0, errors = 0;
    for (int frame = 0; frame < 300; frame++) {
        for (int op = 0; op < 1 + frame % 4; op++) {
            x = x * 1103515245u + 12345u;
            int16_t z = (int16_t)((x >> 16) % 24u) - 8;
            ui_node_t n;
            random_node(&x, &n);
            ui_status_t sa, sb;
            switch ((x >> 12) % 4u) {
                case 0:
                case 1:
                    sa = ui_scene_add(&a, z, &n);
                    sb = ui_scene_add(&b, z, &n);
                    break;
                case 2:
                    sa = ui_scene_replace(&a, z, &n);
                    sb = ui_scene_replace(&b, z, &n);
                    break;
                default:
                    sa = ui_scene_remove(&a, z);
                    sb = ui_scene_remove(&b, z);
                    break;
            }
            errors += sa != sb;
        }
        if (frame == 150) {
            ui_scene_clear(&a);
            ui_scene_clear(&b);
        }
        ui_scene_render(&a);           // only what changed
        b.dirty.full = true;           // everything
        ui_scene_render(&b);
        mismatched_frames += memcmp(px_a, px_b, sizeof(px_a)) != 0;
    }
    CHECK_EQ(errors, 0);
    CHECK_EQ(mismatched_frames, 0);

    // Errors of the stack itself.
    ui_node_t n = {.kind = UI_KIND_RECT, .w = 1, .h = 1};
    ui_scene_clear(&a);
    CHECK_EQ(ui_scene_add(&a, 5, &n), UI_OK);
    CHECK_EQ(ui_scene_add(&a, 5, &n), UI_E_Z_TAKEN);
    CHECK_EQ(ui_scene_remove(&a, 6), UI_E_Z_MISSING);
    CHECK_EQ(ui_scene_replace(&a, 6, &n), UI_E_Z_MISSING);
    for (int z = 100; z < 163; z++) {
        CHECK_EQ(ui_scene_add(&a, (int16_t)z, &n), UI_OK);
    }
    CHECK_EQ(ui_scene_add(&a, 200, &n), UI_E_FULL);
    n.color = 0x1000000;
    CHECK_EQ(ui_scene_replace(&a, 5, &n), UI_E_RANGE);
    n.kind = 9;
    CHECK_EQ(ui_scene_replace(&a, 5, &n), UI_E_KIND);
}

static void test_scene_hit_and_cost(void) {
    ui_fb_t fa;
    ui_scene_t s;
    CHECK_EQ(ui_fb_init(&fa, px_a, sizeof(px_a), SW, SH, UI_FMT_RGB565), UI_OK);
    CHECK_EQ(ui_scene_init(&s, scene_a, sizeof(scene_a), 64, &fa, 0), UI_OK);
    ui_node_t low = {.kind = UI_KIND_RECT, .x = 0, .y = 0, .w = 100, .h = 100, .color = 0x112233};
    ui_node_t high = {.kind = UI_KIND_RECT, .x = 50, .y = 50, .w = 20, .h = 20, .color = 0xff0000};
    CHECK_EQ(ui_scene_add(&s, 10, &high), UI_OK);
    CHECK_EQ(ui_scene_add(&s, -3, &low), UI_OK);
    // First frame: the whole screen, each pixel written once (what a node
    // above covers is not drawn underneath).
    CHECK_EQ(ui_scene_render(&s), SW * SH);
    int16_t z;
    CHECK(ui_scene_hit(&s, 55, 55, &z) && z == 10);
    CHECK(ui_scene_hit(&s, 10, 10, &z) && z == -3);
    CHECK(!ui_scene_hit(&s, 150, 110, &z));
    CHECK(!ui_scene_hit(&s, -1, 5, &z));
    // Recolour the small rect: exactly its 400 pixels are written.
    high.color = 0x00ff00;
    CHECK_EQ(ui_scene_replace(&s, 10, &high), UI_OK);
    CHECK_EQ(ui_scene_render(&s), 400);
    // Unchanged replace: nothing.
    CHECK_EQ(ui_scene_replace(&s, 10, &high), UI_OK);
    CHECK_EQ(ui_scene_render(&s), 0);
    // Move it 30 px right: old place shows the big rect (400), the new
    // place the small one (400); the two areas are kept apart.
    high.x = 80;
    CHECK_EQ(ui_scene_replace(&s, 10, &high), UI_OK);
    CHECK_EQ(ui_scene_render(&s), 800);
    CHECK_EQ(ui_fb_get(&fa, 55, 55), ui_fb_get(&fa, 5, 5));
}

// Many overlapping rects (more pieces than the renderer's stack holds):
// every pixel is the colour of the topmost rect over it, or the background,
// and no pixel is written twice where only rects are.
static void test_scene_many_overlaps(void) {
    ui_fb_t fa;
    ui_scene_t s;
    CHECK_EQ(ui_fb_init(&fa, px_a, sizeof(px_a), SW, SH, UI_FMT_ARGB8888), UI_OK);
    CHECK_EQ(ui_scene_init(&s, scene_a, sizeof(scene_a), 64, &fa, 0x000001), UI_OK);
    ui_node_t nodes[60];
    uint32_t x = 12345;
    for (int i = 0; i < 60; i++) {
        x = x * 1103515245u + 12345u;
        nodes[i] = (ui_node_t){.kind = UI_KIND_RECT, .x = (int16_t)((x >> 8) % SW - 10),
            .y = (int16_t)((x >> 16) % SH - 10), .w = (int16_t)(5 + (x >> 4) % 40),
            .h = (int16_t)(5 + (x >> 12) % 30), .color = 0x010101u * (uint32_t)(i + 2)};
        CHECK_EQ(ui_scene_add(&s, (int16_t)i, &nodes[i]), UI_OK);
    }
    CHECK(ui_scene_render(&s) <= (uint32_t)(SW * SH) * 2u);
    uint32_t wrong = 0;
    for (int32_t py = 0; py < SH; py++) {
        for (int32_t pxl = 0; pxl < SW; pxl++) {
            uint32_t want = 0x000001;
            for (int i = 59; i >= 0; i--) {
                const ui_node_t *n = &nodes[i];
                if (pxl >= n->x && pxl < n->x + n->w && py >= n->y && py < n->y + n->h) {
                    want = n->color;
                    break;
                }
            }
            wrong += ui_fb_get(&fa, pxl, py) != want;
        }
    }
    CHECK_EQ(wrong, 0u);
}

static void test_records(void) {
    uint8_t buf[UI_REC_MAX];
    ui_cmd_t c = {.op = UI_OP_ADD, .z = -300};
    c.node.kind = UI_KIND_TEXT;
    c.node.x = -5;
    c.node.y = 700;
    c.node.color = 0xabcdef;
    c.node.bg = 0x010203;
    c.node.text_len = 5;
    memcpy(c.node.text, "h\xc3\xa9y!", 5);
    uint32_t len = ui_cmd_encode(buf, &c);
    CHECK_EQ(len, 27);
    ui_cmd_t d;
    CHECK_EQ(ui_cmd_decode(buf, len, &d), UI_OK);
    CHECK(d.op == UI_OP_ADD && d.z == -300 && d.node.x == -5 && d.node.y == 700 &&
          d.node.color == 0xabcdef && d.node.bg == 0x010203 && d.node.text_len == 5 &&
          memcmp(d.node.text, "h\xc3\xa9y!", 5) == 0);
    // Hostile records: each one refused, none read out of bounds.
    CHECK_EQ(ui_cmd_decode(buf, 3, &d), UI_E_PROTOCOL);
    CHECK_EQ(ui_cmd_decode(buf, len - 1, &d), UI_E_PROTOCOL);
    buf[20] = 0xff;  // text_len 0x..ff > 255 with the high byte
    buf[21] = 0x01;
    CHECK_EQ(ui_cmd_decode(buf, len, &d), UI_E_PROTOCOL);
    ui_cmd_encode(buf, &c);
    buf[15] = 0x01;  // colour over 0xffffff
    CHECK_EQ(ui_cmd_decode(buf, len, &d), UI_E_PROTOCOL);
    ui_cmd_encode(buf, &c);
    buf[0] = 42;
    CHECK_EQ(ui_cmd_decode(buf, len, &d), UI_E_PROTOCOL);
    ui_cmd_t in = {.op = UI_OP_INPUT};
    in.event.kind = UI_EV_SCROLL;
    in.event.x = 3;
    in.event.y = 4;
    in.event.key = -2;
    len = ui_cmd_encode(buf, &in);
    CHECK_EQ(ui_cmd_decode(buf, len, &d), UI_OK);
    CHECK(d.event.kind == UI_EV_SCROLL && d.event.key == -2 && d.event.target == UI_TARGET_NONE);
    buf[1] = 9;
    CHECK_EQ(ui_cmd_decode(buf, len, &d), UI_E_PROTOCOL);
    ui_event_t e = {.kind = UI_EV_TAP, .x = 1, .y = 2, .key = 0, .target = -7}, f;
    ui_event_encode(buf, &e);
    CHECK_EQ(ui_event_decode(buf, UI_EVT_REC, &f), UI_OK);
    CHECK(f.target == -7 && f.x == 1 && f.y == 2);
    buf[1] = 2;
    CHECK_EQ(ui_event_decode(buf, UI_EVT_REC, &f), UI_E_PROTOCOL);
}

// Renderer and client in one thread: the client's wait hook runs the
// renderer, as if the other core were scheduled there.
static ui_renderer_t rend;
static int rend_enabled = 1;
static uint32_t fake_ms;
static uint32_t clock_ms(void *ctx) {
    (void)ctx;
    return fake_ms;
}
static uint32_t clock_us(void *ctx) {
    (void)ctx;
    return fake_ms * 1000u;
}
static void bell(void *ctx) {
    (void)ctx;
}
static void run_renderer(void *ctx, uint32_t ms) {
    (void)ctx;
    fake_ms += ms;
    if (rend_enabled) {
        ui_renderer_poll(&rend, 1000);
    }
}
static int drained;
static ui_client_t client;
static ui_status_t drain(void *ctx) {
    (void)ctx;
    ui_event_t e;
    bool got;
    do {
        ui_client_next_event(&client, &e, &got);
        drained += got;
    } while (got);
    return UI_OK;
}

static _Alignas(32) uint8_t link_region[8192];

static void test_link_one_thread(void) {
    uint32_t size = ui_link_region_size(1024, 128);
    CHECK(size <= sizeof(link_region));
    CHECK_EQ(ui_link_init(link_region, size, 1024, 128), UI_OK);
    ui_fb_t fb;
    CHECK_EQ(ui_fb_init(&fb, px_a, sizeof(px_a), SW, SH, UI_FMT_ARGB8888), UI_OK);
    ui_client_port_t cport = {clock_ms, bell, run_renderer, drain, NULL};
    // No renderer yet: attach times out with a clear status.
    rend_enabled = 0;
    CHECK_EQ(ui_client_attach(&client, link_region, size, &cport, 50), UI_E_NO_RENDERER);
    ui_renderer_port_t rport = {clock_us, bell, NULL};
    CHECK_EQ(ui_renderer_attach(&rend, link_region, size, &fb, scene_a, sizeof(scene_a), 64, 0,
                 &rport), UI_OK);
    rend_enabled = 1;
    CHECK_EQ(ui_client_attach(&client, link_region, size, &cport, 50), UI_OK);
    CHECK(client.width == SW && client.height == SH && client.max_nodes == 64);

    ui_node_t n = {.kind = UI_KIND_RECT, .x = 20, .y = 20, .w = 100, .h = 40, .color = 0xff00ff};
    CHECK_EQ(ui_client_add(&client, 0, &n), UI_OK);
    CHECK_EQ(ui_client_add(&client, 0, &n), UI_E_Z_TAKEN);
    CHECK_EQ(ui_client_add(&client, 40000, &n), UI_E_RANGE);
    CHECK_EQ(ui_client_remove(&client, 1), UI_E_Z_MISSING);
    CHECK_EQ(ui_client_replace(&client, 1, &n), UI_E_Z_MISSING);
    ui_node_t t = {.kind = UI_KIND_TEXT, .text_len = 256};
    CHECK_EQ(ui_client_add(&client, 2, &t), UI_E_TEXT_TOO_LONG);
    uint32_t frame = 0;
    CHECK_EQ(ui_client_present(&client, &frame), UI_OK);
    CHECK_EQ(frame, 1);
    CHECK_EQ(ui_client_sync(&client), UI_OK);
    CHECK_EQ(ui_fb_get(&fb, 20, 20), 0xff00ff);
    CHECK_EQ(ui_fb_get(&fb, 119, 59), 0xff00ff);
    CHECK_EQ(ui_fb_get(&fb, 120, 59), 0);
    CHECK_EQ(atomic_load(&client.hdr->frame_done), 1);

    // Input: a tap on the rect comes back with its z, one beside it with none.
    ui_event_t tap = {.kind = UI_EV_TAP, .x = 30, .y = 30}, got_e;
    ui_event_t miss = {.kind = UI_EV_TAP, .x = 150, .y = 100};
    CHECK_EQ(ui_client_input(&client, &tap), UI_OK);
    CHECK_EQ(ui_client_input(&client, &miss), UI_OK);
    CHECK_EQ(ui_client_sync(&client), UI_OK);
    bool got;
    CHECK_EQ(ui_client_next_event(&client, &got_e, &got), UI_OK);
    CHECK(got && got_e.target == 0 && got_e.x == 30);
    CHECK_EQ(ui_client_next_event(&client, &got_e, &got), UI_OK);
    CHECK(got && got_e.target == UI_TARGET_NONE);
    CHECK_EQ(ui_client_next_event(&client, &got_e, &got), UI_OK);
    CHECK(!got);

    // 200 taps with an 8-event ring that nobody reads: the renderer waits,
    // the client drains while it waits for room, and no tap is lost.
    drained = 0;
    for (int i = 0; i < 200; i++) {
        CHECK_EQ(ui_client_input(&client, &tap), UI_OK);
    }
    CHECK_EQ(ui_client_sync(&client), UI_OK);
    int rest = 0;
    do {
        ui_client_next_event(&client, &got_e, &got);
        rest += got;
    } while (got);
    CHECK_EQ(drained + rest, 200);
    CHECK(drained > 0);

    // The renderer stops: the producer gets a timeout once the ring is
    // full, and what it did send is still applied afterwards.
    rend_enabled = 0;
    ui_status_t st = UI_OK;
    int sent = 0;
    for (int z = 10; z < 60 && st == UI_OK; z++) {
        n.x = (int16_t)z;
        st = ui_client_add(&client, z, &n);
        sent += st == UI_OK;
    }
    CHECK_EQ(st, UI_E_TIMEOUT);
    CHECK(!ui_client_z_taken(&client, (int16_t)(10 + sent)));
    rend_enabled = 1;
    CHECK_EQ(ui_client_sync(&client), UI_OK);
    CHECK_EQ(rend.scene.count, (uint32_t)(1 + sent));

    // A corrupt command ring: the renderer fails, the client says so.
    ui_link_header_t *h = client.hdr;
    ring_header_t *rh = (ring_header_t *)(void *)(link_region + h->cmd_offset);
    atomic_store(&rh->head, atomic_load(&rh->head) + 5000u);
    CHECK_EQ(ui_renderer_poll(&rend, 10), 0);
    CHECK_EQ(atomic_load(&h->state), UI_STATE_FAILED);
    CHECK_EQ(ui_client_sync(&client), UI_E_PROTOCOL);
    ui_node_t late = {.kind = UI_KIND_RECT, .w = 1, .h = 1};
    CHECK_EQ(ui_client_add(&client, 3000, &late), UI_E_PROTOCOL);  // refused, not queued
}

int main(void) {
    RUN_TEST(test_area);
    RUN_TEST(test_utf8);
    RUN_TEST(test_raster);
    RUN_TEST(test_fill_spans);
    RUN_TEST(test_dirty);
    RUN_TEST(test_scene_incremental_equals_full);
    RUN_TEST(test_scene_hit_and_cost);
    RUN_TEST(test_scene_many_overlaps);
    RUN_TEST(test_records);
    RUN_TEST(test_link_one_thread);
    printf("%u checks, %u failed\n", mpx_test_checks, mpx_test_failures);
    return mpx_test_failures != 0;
}
