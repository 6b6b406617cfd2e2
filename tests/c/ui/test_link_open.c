// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The board's open sequence against a model of the STM32H747's two cores.
// The CM7 side is the real backend, micropython/mp_rlvgl/rlvgl_backend_cm7.c,
// with its hardware calls (rlvgl_cm7_hw.h) answered by the model below. The
// CM4 side is the real renderer (firmware/cm4_renderer/renderer.c) in a
// thread that runs renderer_turn as main_h747.c does: it wakes only on its
// doorbell (HSEM 28, here a condition variable), as WFI does on the board.
// RCC_GCR BOOT_C2 starts the CM4 only when it is held; option byte BCM4
// starts it at every reset; a reset keeps SRAM4 (the link region).
//
// Each scenario is what a user of the board does: init()/deinit() again and
// again, a soft reset (Ctrl-D: the module closes the link, the CM4 runs on),
// the reset button (both cores restart, SRAM4 keeps the old link), init()
// again while the renderer is part-way through attaching, and a CM4 that
// stopped. The control at the end runs the same scenarios with the CM7
// sequence as it was before ui_link_open (take back, lay out, BOOT_C2, no
// doorbell) and checks that the model catches it: `init() #2: the renderer
// is not running`, and a renderer attached with the previous init's display.
// Built with -fsanitize=thread by tools/test_all.sh as well.
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "mpx_test.h"
#include "renderer.h"
#include "rlvgl_backend.h"
#include "rlvgl_cm7_hw.h"

MPX_TEST_MAIN_DEFS

#define PANEL_W 160
#define PANEL_H 120
#define SCENE_NODES 1024u
#define CM4_IMAGE 0x08100000u

// ---- the model: SRAM4, the CM4, RCC, the option bytes, the doorbells ----

typedef struct {
    _Alignas(32) uint8_t sram4[0x10000];
    pthread_mutex_t lock;
    pthread_cond_t changed;      // any of the fields below
    bool bcm4;                   // option byte: the CM4 starts at every reset
    uint32_t boot_cm4;           // option byte BOOT_CM4_ADD0, as an address
    bool boot_c2;                // RCC_GCR BOOT_C2 (cleared by a reset)
    bool cm4_running;
    bool cm4_bell, cm7_bell;     // HSEM 28 / 29 pending
    bool cm4_stop;               // ends the CM4 thread (a reset, or a stopped core)
    bool cm4_asleep;             // in its sleep, nothing pending
    // The board's timing, for the control: when the CM4 rings, it is back
    // asleep before the CM7 has woken from its WFI and looked (a few CM4
    // instructions against an interrupt entry and a return to the wait).
    bool cm4_faster;
    uint32_t cm7_waits;          // the CM7 slept waiting for the CM4
    uint32_t rings_to_cm4;
    // The attach hold: the renderer stops part-way through its next attach
    // until the CM7 is re-opening (it waited, or open returned).
    bool hold_next_attach, holding, reopening, reopen_returned;
    uint32_t waits_at_reopen;
    pthread_t cm4;
    renderer_t rd;
    renderer_hal_t hal;
    uint8_t *fb_mem;
    void *scene_mem;
} chip_t;

static chip_t chip;

static uint32_t clock_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

// The CM4's hal (main_h747.c's, with a condition variable for WFI).
static uint32_t cm4_now_us(void *ctx) {
    (void)ctx;
    return clock_us();
}

static void cm4_ring_cm7(void *ctx) {
    (void)ctx;
    pthread_mutex_lock(&chip.lock);
    chip.cm7_bell = true;
    pthread_cond_broadcast(&chip.changed);
    pthread_mutex_unlock(&chip.lock);
    // (On the board the CM7's HSEM1 interrupt also calls rlvgl_cm7_bell,
    // which passes it on to the module's hook: there is no module here.)
}

static bool cm4_no_input(void *ctx, ui_event_t *e) {
    (void)ctx;
    (void)e;
    return false;
}

static void cm4_attaching(void *ctx) {
    (void)ctx;
    pthread_mutex_lock(&chip.lock);
    if (chip.hold_next_attach) {
        chip.hold_next_attach = false;
        chip.holding = true;
        pthread_cond_broadcast(&chip.changed);
        while (!chip.cm4_stop &&
               !(chip.reopening && (chip.cm7_waits != chip.waits_at_reopen || chip.reopen_returned))) {
            pthread_cond_wait(&chip.changed, &chip.lock);
        }
        chip.holding = false;
    }
    pthread_mutex_unlock(&chip.lock);
}

static void cm4_sleep(void *ctx) {
    (void)ctx;
    pthread_mutex_lock(&chip.lock);
    while (!chip.cm4_bell && !chip.cm4_stop) {
        chip.cm4_asleep = true;
        pthread_cond_broadcast(&chip.changed);
        pthread_cond_wait(&chip.changed, &chip.lock);
    }
    chip.cm4_asleep = false;
    chip.cm4_bell = false;
    pthread_mutex_unlock(&chip.lock);
}

static void *cm4_main(void *arg) {
    (void)arg;
    renderer_init(&chip.rd, &chip.hal);
    for (;;) {
        pthread_mutex_lock(&chip.lock);
        bool stop = chip.cm4_stop;
        pthread_mutex_unlock(&chip.lock);
        if (stop) {
            return NULL;
        }
        renderer_turn(&chip.rd);
    }
}

static void cm4_start_locked(void) {
    chip.cm4_stop = false;
    chip.cm4_bell = false;
    chip.cm4_asleep = false;
    chip.cm4_running = true;
    pthread_create(&chip.cm4, NULL, cm4_main, NULL);
}

static void cm4_halt(void) {
    pthread_mutex_lock(&chip.lock);
    bool was = chip.cm4_running;
    chip.cm4_stop = true;
    pthread_cond_broadcast(&chip.changed);
    pthread_mutex_unlock(&chip.lock);
    if (was) {
        pthread_join(chip.cm4, NULL);
    }
    pthread_mutex_lock(&chip.lock);
    chip.cm4_running = false;
    pthread_mutex_unlock(&chip.lock);
}

// The reset button: both cores restart; SRAM4 keeps what it held. With
// BCM4 = 1 the CM4 starts at once, otherwise it waits for BOOT_C2.
static void chip_reset(bool bcm4) {
    cm4_halt();
    pthread_mutex_lock(&chip.lock);
    chip.bcm4 = bcm4;
    chip.boot_c2 = false;
    chip.cm7_bell = false;
    chip.hold_next_attach = chip.reopening = chip.reopen_returned = false;
    if (bcm4) {
        cm4_start_locked();
    }
    pthread_mutex_unlock(&chip.lock);
    rlvgl_backend_close();  // the CM7's program starts from nothing
}

// Power-on: SRAM4 holds whatever it holds.
static void chip_power_on(bool bcm4) {
    cm4_halt();
    memset(chip.sram4, 0xa5, sizeof(chip.sram4));
    chip_reset(bcm4);
}

static void chip_init(void) {
    pthread_mutex_init(&chip.lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&chip.changed, &ca);
    pthread_condattr_destroy(&ca);
    chip.boot_cm4 = CM4_IMAGE;
    chip.fb_mem = calloc(PANEL_W * PANEL_H, 2);
    chip.scene_mem = calloc(1, UI_SCENE_MEM(SCENE_NODES));
    chip.hal = (renderer_hal_t){
        .region = chip.sram4,
        .region_size = sizeof(chip.sram4),
        .fb_mem = chip.fb_mem,
        .fb_mem_size = PANEL_W * PANEL_H * 2,
        .scene_mem = chip.scene_mem,
        .scene_mem_size = UI_SCENE_MEM(SCENE_NODES),
        .panel_width = PANEL_W,
        .panel_height = PANEL_H,
        .panel_format = UI_FMT_RGB565,
        .now_us = cm4_now_us,
        .ring_producer = cm4_ring_cm7,
        .next_input = cm4_no_input,
        .attaching = cm4_attaching,
        .sleep = cm4_sleep,
    };
}

static void chip_free(void) {
    cm4_halt();
    free(chip.fb_mem);
    free(chip.scene_mem);
    pthread_cond_destroy(&chip.changed);
    pthread_mutex_destroy(&chip.lock);
}

// ---- rlvgl_cm7_hw.h, answered by the model ----

void *rlvgl_cm7_region(uint32_t *size) {
    *size = sizeof(chip.sram4);
    return chip.sram4;
}

void rlvgl_cm7_cm4_image(uint32_t *base, uint32_t *sp, uint32_t *reset, uint32_t *boot_addr) {
    *base = CM4_IMAGE;
    *sp = 0x10048000u;
    *reset = CM4_IMAGE + 0x2c1u;
    *boot_addr = chip.boot_cm4;
}

void rlvgl_cm7_setup(void) {
}

void rlvgl_cm7_quiet(void) {
}

bool rlvgl_cm7_cm4_running(void) {
    pthread_mutex_lock(&chip.lock);
    bool r = chip.bcm4 || chip.boot_c2;
    pthread_mutex_unlock(&chip.lock);
    return r;
}

void rlvgl_cm7_cm4_start(void) {
    pthread_mutex_lock(&chip.lock);
    if (!chip.boot_c2) {
        chip.boot_c2 = true;
        if (!chip.cm4_running) {
            cm4_start_locked();  // a held CM4 starts; a running one goes on
        }
    }
    pthread_mutex_unlock(&chip.lock);
}

void rlvgl_cm7_ring_cm4(void) {
    pthread_mutex_lock(&chip.lock);
    chip.cm4_bell = true;
    chip.rings_to_cm4++;
    pthread_cond_broadcast(&chip.changed);
    pthread_mutex_unlock(&chip.lock);
}

uint32_t rlvgl_cm7_now_ms(void) {
    return clock_us() / 1000u;
}

void rlvgl_cm7_wait(uint32_t ms) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += (long)ms * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&chip.lock);
    chip.cm7_waits++;
    pthread_cond_broadcast(&chip.changed);
    while (!chip.cm7_bell || (chip.cm4_faster && chip.cm4_running && !chip.cm4_asleep)) {
        if (pthread_cond_timedwait(&chip.changed, &chip.lock, &until) != 0) {
            break;
        }
    }
    chip.cm7_bell = false;
    pthread_mutex_unlock(&chip.lock);
}

// ---- the CM7 sequence before ui_link_open, for the control ----

static bool old_take_back(void *mem, const ui_client_port_t *port, uint32_t timeout_ms) {
    ui_link_header_t *h = mem;
    if (atomic_load(&h->magic) != UI_LINK_MAGIC || atomic_load(&h->state) != UI_STATE_READY) {
        return true;  // "free": also while a renderer is part-way through attaching
    }
    atomic_store(&h->magic, 0);
    port->notify(port->ctx);
    uint32_t start = port->now_ms(port->ctx);
    while (atomic_load(&h->state) == UI_STATE_READY) {
        if (port->now_ms(port->ctx) - start >= timeout_ms) {
            return false;
        }
        port->wait(port->ctx, 1);
    }
    return true;
}

static uint32_t hw_now_ms(void *ctx) {
    (void)ctx;
    return rlvgl_cm7_now_ms();
}
static void hw_notify(void *ctx) {
    (void)ctx;
    rlvgl_cm7_ring_cm4();
}
static void hw_wait(void *ctx, uint32_t ms) {
    (void)ctx;
    rlvgl_cm7_wait(ms);
}

static ui_status_t old_cm7_open(const rlvgl_config_t *cfg, void **region, uint32_t *size,
    ui_client_port_t *port, char *err, size_t err_len) {
    (void)err;
    (void)err_len;
    uint32_t max;
    void *mem = rlvgl_cm7_region(&max);
    uint32_t need = ui_link_region_size(32768u, 4096u);
    rlvgl_cm7_setup();
    ui_client_port_t take = {hw_now_ms, hw_notify, hw_wait, NULL, NULL};
    old_take_back(mem, &take, 1000);  // its result was ignored
    ui_link_header_t *h = mem;
    h->want_width = h->want_height = h->want_format = 0;
    h->want_max_nodes = cfg->max_nodes;
    h->want_background = cfg->background;
    if (ui_link_init(mem, need, 32768u, 4096u) != UI_OK) {
        return UI_E_CONFIG;
    }
    rlvgl_cm7_cm4_start();  // RCC_GCR BOOT_C2, and no doorbell
    *region = mem;
    *size = need;
    *port = take;
    return UI_OK;
}

// ---- what the module does (mod_rlvgl.c's start, deinit, soft reset) ----

typedef ui_status_t (*open_fn)(const rlvgl_config_t *cfg, void **region, uint32_t *size,
    ui_client_port_t *port, char *err, size_t err_len);

typedef struct {
    open_fn open;
    uint32_t timeout_ms;
    ui_client_t client;
    bool open_ok;
    int inits;
    uint32_t max_nodes;          // what the last init asked for
    char failure[200];           // the first thing that went wrong in a scenario
} cm7_t;

static void fail(cm7_t *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(cm7_t *m, const char *fmt, ...) {
    if (m->failure[0] == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m->failure, sizeof(m->failure), fmt, ap);
        va_end(ap);
    }
}

// Each init asks for its own background and scene size, so that a renderer
// attached with an earlier init's display shows.
static rlvgl_config_t config(cm7_t *m, uint32_t background) {
    m->max_nodes = 200u + (uint32_t)m->inits;
    rlvgl_config_t cfg = {UI_DEFAULT_WIDTH, UI_DEFAULT_HEIGHT, UI_FMT_RGB565, m->max_nodes, 32768,
        background, false, m->timeout_ms};
    return cfg;
}

// init(): open, then wait for READY. Prints what a user would see.
static bool init(cm7_t *m, uint32_t background) {
    m->inits++;
    rlvgl_config_t cfg = config(m, background);
    void *region;
    uint32_t size;
    ui_client_port_t port = {0};
    char err[200] = "";
    uint32_t t0 = rlvgl_cm7_now_ms();
    ui_status_t st = m->open(&cfg, &region, &size, &port, err, sizeof(err));
    if (st == UI_OK) {
        st = ui_client_attach(&m->client, region, size, &port, m->timeout_ms);
        if (st != UI_OK) {
            rlvgl_backend_close();
            snprintf(err, sizeof(err), "%s", ui_status_message(st));
        }
    }
    uint32_t ms = rlvgl_cm7_now_ms() - t0;
    m->open_ok = st == UI_OK;
    printf("    init() #%d: %s after %lu ms\n", m->inits, st == UI_OK ? "ok" : err, (unsigned long)ms);
    if (st != UI_OK) {
        fail(m, "init() #%d: %s", m->inits, err);
    }
    return st == UI_OK;
}

static void deinit(cm7_t *m) {
    m->open_ok = false;
    rlvgl_backend_close();
}

// A soft reset: the heap is swept, the module's finaliser closes the link;
// the CM4 knows nothing of it.
static void soft_reset(cm7_t *m) {
    deinit(m);
    memset(&m->client, 0xee, sizeof(m->client));
}

// Draw a node, present, sync: the renderer is attached to this init's
// link, with this init's background, and its scene holds only this node.
static void draw_and_check(cm7_t *m, uint32_t background, uint32_t color) {
    if (!m->open_ok) {
        return;
    }
    ui_node_t n = {.kind = UI_KIND_RECT, .x = 0, .y = 0, .w = 10, .h = 10, .color = color};
    uint32_t frame;
    if (ui_client_add(&m->client, 7, &n) != UI_OK || ui_client_present(&m->client, &frame) != UI_OK ||
        ui_client_sync(&m->client) != UI_OK) {
        fail(m, "init() #%d: the renderer did not take a node and a frame", m->inits);
        return;
    }
    ui_link_header_t *h = (ui_link_header_t *)chip.sram4;
    const ui_fb_t *fb = &chip.rd.fb;
    // (Colours whose channels are 00 or ff come back exactly from RGB565.)
    uint32_t got_bg = ui_fb_get(fb, PANEL_W - 1, PANEL_H - 1), got_node = ui_fb_get(fb, 1, 1);
    if (got_bg != background) {
        fail(m, "init() #%d: the renderer shows background %06lx, not this init's %06lx", m->inits,
            (unsigned long)got_bg, (unsigned long)background);
    } else if (got_node != color) {
        fail(m, "init() #%d: the node's pixel is %06lx, not %06lx", m->inits, (unsigned long)got_node,
            (unsigned long)color);
    } else if (m->client.max_nodes != m->max_nodes) {
        fail(m, "init() #%d: the renderer took max_nodes %lu, not this init's %lu", m->inits,
            (unsigned long)m->client.max_nodes, (unsigned long)m->max_nodes);
    } else if (atomic_load(&h->nodes) != 1 || atomic_load(&h->errors) != 0) {
        fail(m, "init() #%d: the scene holds %lu nodes (%lu errors), not this init's one", m->inits,
            (unsigned long)atomic_load(&h->nodes), (unsigned long)atomic_load(&h->errors));
    } else if (chip.rd.refused != 0) {
        fail(m, "the renderer refused %lu regions", (unsigned long)chip.rd.refused);
    }
}

static const uint32_t backgrounds[] = {0x0000ff, 0x00ff00, 0xff0000, 0xffff00, 0x00ffff, 0xff00ff};

// ---- the scenarios ----

static void init_deinit_three_times(cm7_t *m, bool bcm4) {
    chip_power_on(bcm4);
    for (int i = 0; i < 3; i++) {
        if (init(m, backgrounds[i])) {
            draw_and_check(m, backgrounds[i], 0xffffff);
        }
        deinit(m);
    }
}

static void soft_resets(cm7_t *m, bool bcm4) {
    chip_power_on(bcm4);
    for (int i = 0; i < 3; i++) {
        if (init(m, backgrounds[i])) {
            draw_and_check(m, backgrounds[i], 0xffffff);
            // Work still in the ring when the soft reset comes.
            ui_node_t n = {.kind = UI_KIND_RECT, .x = 20, .y = 20, .w = 5, .h = 5, .color = 0x123456};
            for (int16_t z = 100; z < 150; z++) {
                ui_client_add(&m->client, z, &n);
            }
            uint32_t frame;
            ui_client_present(&m->client, &frame);
        }
        soft_reset(m);
    }
}

// The reset button with the display open: the CM4 restarts (BCM4 = 1) or
// stays held until the next BOOT_C2 (BCM4 = 0); SRAM4 still holds a READY
// link that no renderer holds any more.
static void reset_button(cm7_t *m, bool bcm4) {
    chip_power_on(bcm4);
    for (int i = 0; i < 2; i++) {
        if (init(m, backgrounds[i])) {
            draw_and_check(m, backgrounds[i], 0xffffff);
        }
        chip_reset(bcm4);
    }
}

// init() again while the renderer is part-way through attaching to the last
// link (it has read the last init's want_* fields, READY not yet set): a
// slow attach, or an init() that gave up waiting and is called again.
static void reinit_while_attaching(cm7_t *m, bool bcm4) {
    chip_power_on(bcm4);
    pthread_mutex_lock(&chip.lock);
    chip.hold_next_attach = true;
    pthread_mutex_unlock(&chip.lock);
    m->inits++;
    rlvgl_config_t cfg = config(m, 0xff0000);
    void *region;
    uint32_t size;
    ui_client_port_t port;
    char err[200];
    if (m->open(&cfg, &region, &size, &port, err, sizeof(err)) != UI_OK) {
        fail(m, "init() #1: %s", err);
        return;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += m->timeout_ms / 1000u + 1u;
    pthread_mutex_lock(&chip.lock);
    while (!chip.holding) {
        if (pthread_cond_timedwait(&chip.changed, &chip.lock, &until) != 0) {
            chip.hold_next_attach = false;
            pthread_mutex_unlock(&chip.lock);
            fail(m, "init() #1: the renderer never started attaching");
            return;
        }
    }
    chip.reopening = true;
    chip.waits_at_reopen = chip.cm7_waits;
    pthread_mutex_unlock(&chip.lock);
    printf("    init() #1: the renderer is attaching; init() again\n");
    rlvgl_backend_close();  // init() #1 gave up
    // init() #2 returns once it has laid its link out.
    m->inits++;
    rlvgl_config_t cfg2 = config(m, 0x0000ff);
    ui_status_t st = m->open(&cfg2, &region, &size, &port, err, sizeof(err));
    pthread_mutex_lock(&chip.lock);
    chip.reopen_returned = true;
    pthread_cond_broadcast(&chip.changed);
    pthread_mutex_unlock(&chip.lock);
    if (st == UI_OK) {
        st = ui_client_attach(&m->client, region, size, &port, m->timeout_ms);
    }
    m->open_ok = st == UI_OK;
    printf("    init() #2: %s\n", st == UI_OK ? "ok" : ui_status_message(st));
    if (st != UI_OK) {
        fail(m, "init() #2: %s", ui_status_message(st));
    }
    draw_and_check(m, 0x0000ff, 0xffffff);
    deinit(m);
}

// A CM4 that stopped (halted by a debugger, crashed) while it held the
// link: init() says so, and leaves the old layout alone.
static void stopped_renderer(cm7_t *m) {
    chip_power_on(false);
    if (!init(m, backgrounds[0])) {
        return;
    }
    deinit(m);
    cm4_halt();  // BOOT_C2 stays set: the CM7 believes it runs
    static uint8_t before[sizeof(chip.sram4)];
    memcpy(before, chip.sram4, sizeof(before));
    rlvgl_config_t cfg = config(m, backgrounds[1]);
    void *region;
    uint32_t size;
    ui_client_port_t port;
    char err[200] = "";
    ui_status_t st = rlvgl_backend_open(&cfg, &region, &size, &port, err, sizeof(err));
    printf("    init() with the CM4 stopped: %s\n", err);
    CHECK_EQ(st, UI_E_LINK_HELD);
    CHECK(strstr(err, "did not let go of the last link within") != NULL);
    // Only the magic went (and the request was counted): not a byte of the
    // rings, and none of the header that the renderer reads.
    const ui_link_header_t *h = (const ui_link_header_t *)chip.sram4;
    CHECK_EQ(atomic_load(&h->magic), 0);
    size_t rings = offsetof(ui_link_header_t, want_width);
    CHECK(memcmp(before + 4, chip.sram4 + 4, rings - 4) == 0);
    CHECK(memcmp(before + UI_LINK_HEADER_SIZE, chip.sram4 + UI_LINK_HEADER_SIZE,
              sizeof(before) - UI_LINK_HEADER_SIZE) == 0);
    // Once the CM4 runs again (a reset), init() works.
    chip_reset(false);
    if (init(m, backgrounds[2])) {
        draw_and_check(m, backgrounds[2], 0xffffff);
    }
    deinit(m);
}

typedef struct {
    const char *name;
    void (*run)(cm7_t *m, bool bcm4);
    bool bcm4;
} scenario_t;

static const scenario_t scenarios[] = {
    {"init/deinit x3, BCM4=0", init_deinit_three_times, false},
    {"init/deinit x3, BCM4=1", init_deinit_three_times, true},
    {"soft reset x3, BCM4=0", soft_resets, false},
    {"soft reset x3, BCM4=1", soft_resets, true},
    {"reset button, BCM4=0", reset_button, false},
    {"reset button, BCM4=1", reset_button, true},
    {"re-init while attaching, BCM4=0", reinit_while_attaching, false},
    {"re-init while attaching, BCM4=1", reinit_while_attaching, true},
};
#define SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static const char *run_scenario(const scenario_t *s, open_fn open, uint32_t timeout_ms,
    bool cm4_faster) {
    static cm7_t m;
    memset(&m, 0, sizeof(m));
    pthread_mutex_lock(&chip.lock);
    chip.cm4_faster = cm4_faster;
    pthread_mutex_unlock(&chip.lock);
    m.open = open;
    m.timeout_ms = timeout_ms;
    printf("  %s\n", s->name);
    s->run(&m, s->bcm4);
    deinit(&m);
    static char failure[sizeof(m.failure)];
    memcpy(failure, m.failure, sizeof(failure));
    return failure[0] ? failure : NULL;
}

static void test_board_open_sequence(void) {
    for (size_t i = 0; i < SCENARIOS; i++) {
        const char *failure = run_scenario(&scenarios[i], rlvgl_backend_open, 5000, false);
        CHECKF(failure == NULL, "%s: %s", scenarios[i].name, failure);
    }
}

static void stopped(cm7_t *m, bool bcm4) {
    (void)bcm4;
    stopped_renderer(m);
}

static void test_a_stopped_renderer_is_an_error_not_a_layout(void) {
    scenario_t s = {"a stopped CM4", stopped, false};
    const char *failure = run_scenario(&s, rlvgl_backend_open, 300, false);
    CHECKF(failure == NULL, "%s", failure);
}

// The control: the same scenarios catch the sequence the board had (one
// BOOT_C2 and no doorbell; a take-back that called an attaching renderer
// free). Only the reset button with BCM4 = 0 passes with it: there every
// init() starts a held CM4, which looks at the region once by itself.
// The CM7 runs at the board's pace here (the CM4 back asleep before the CM7
// goes on after a doorbell): free-running threads sometimes let the old
// sequence through, when the renderer's next look came after the layout.
// The new sequence passes at any pace (the scenarios above are free-running).
static void test_the_model_catches_the_old_cm7_sequence(void) {
    for (size_t i = 0; i < SCENARIOS; i++) {
        const char *failure = run_scenario(&scenarios[i], old_cm7_open, 300, true);
        bool expected_pass = scenarios[i].run == reset_button && !scenarios[i].bcm4;
        if (expected_pass) {
            CHECKF(failure == NULL, "%s: %s", scenarios[i].name, failure);
        } else {
            CHECKF(failure != NULL, "%s: the old sequence passed", scenarios[i].name);
            printf("    caught: %s\n", failure ? failure : "-");
        }
    }
}

int main(void) {
    chip_init();
    RUN_TEST(test_board_open_sequence);
    RUN_TEST(test_a_stopped_renderer_is_an_error_not_a_layout);
    RUN_TEST(test_the_model_catches_the_old_cm7_sequence);
    chip_free();
    return mpx_test_report("test_link_open");
}
