// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#define _GNU_SOURCE
#include "ui_sim.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<SDL2/SDL.h>) && __has_include(<SDL2/_real_SDL_config.h>)
#include <SDL2/SDL.h>
#define UI_SIM_SDL 1
#endif
#endif
#ifndef UI_SIM_SDL
#define UI_SIM_SDL 0
#endif

// A doorbell: a flag and a condition variable, so that a ring between two
// waits is never lost.
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool rung;
} bell_t;

static void bell_init(bell_t *b) {
    pthread_mutex_init(&b->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&b->cond, &attr);
    pthread_condattr_destroy(&attr);
    b->rung = false;
}

static void bell_destroy(bell_t *b) {
    pthread_cond_destroy(&b->cond);
    pthread_mutex_destroy(&b->lock);
}

static void bell_ring(bell_t *b) {
    pthread_mutex_lock(&b->lock);
    b->rung = true;
    pthread_cond_signal(&b->cond);
    pthread_mutex_unlock(&b->lock);
}

static void bell_wait(bell_t *b, uint32_t ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000u);
    ts.tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&b->lock);
    while (!b->rung) {
        if (pthread_cond_timedwait(&b->cond, &b->lock, &ts) == ETIMEDOUT) {
            break;
        }
    }
    b->rung = false;
    pthread_mutex_unlock(&b->lock);
}

#if UI_SIM_SDL
// SDL2 is loaded when a window is asked for: the simulator needs no SDL to
// build or to run headless.
typedef struct {
    void *lib;
    int (*Init)(Uint32);
    void (*QuitSubSystem)(Uint32);
    const char *(*GetError)(void);
    SDL_Window *(*CreateWindow)(const char *, int, int, int, int, Uint32);
    void (*DestroyWindow)(SDL_Window *);
    SDL_Renderer *(*CreateRenderer)(SDL_Window *, int, Uint32);
    void (*DestroyRenderer)(SDL_Renderer *);
    SDL_Texture *(*CreateTexture)(SDL_Renderer *, Uint32, int, int, int);
    void (*DestroyTexture)(SDL_Texture *);
    int (*UpdateTexture)(SDL_Texture *, const SDL_Rect *, const void *, int);
    int (*RenderCopy)(SDL_Renderer *, SDL_Texture *, const SDL_Rect *, const SDL_Rect *);
    void (*RenderPresent)(SDL_Renderer *);
    int (*PollEvent)(SDL_Event *);
    int (*PushEvent)(SDL_Event *);
} sdl_api_t;
#endif

struct ui_sim {
    ui_sim_config_t cfg;
    uint8_t *region;
    uint32_t region_size;
    uint8_t *pixels;
    void *scene_mem;
    ui_fb_t fb;
    ui_renderer_t renderer;
    pthread_t thread;
    bell_t renderer_bell;     // producer -> renderer
    bell_t producer_bell;     // renderer -> producer
    _Atomic bool stop;
    _Atomic bool paused;
    _Atomic bool started;
    ui_status_t start_status;
    char start_error[160];
    void (*bell_hook)(void *);
    void *bell_ctx;
    pthread_mutex_t hook_lock;
    uint32_t shown_frame;
    _Atomic bool window_open;
#if UI_SIM_SDL
    sdl_api_t sdl;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int32_t mouse_x, mouse_y;
#endif
};

void ui_sim_config_default(ui_sim_config_t *cfg) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->width = UI_DEFAULT_WIDTH;
    cfg->height = UI_DEFAULT_HEIGHT;
    cfg->format = UI_FMT_RGB565;
    cfg->max_nodes = UI_DEFAULT_MAX_NODES;
    cfg->cmd_ring = UI_DEFAULT_CMD_RING;
    cfg->evt_ring = UI_DEFAULT_EVT_RING;
    cfg->background = 0x000000;
    cfg->title = "mp_rlvgl simulator";
}

static uint32_t now_us(void *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

uint32_t ui_sim_now_ms(void *sim) {
    (void)sim;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

void ui_sim_notify(void *sim) {
    bell_ring(&((ui_sim_t *)sim)->renderer_bell);
}

void ui_sim_wait(void *sim, uint32_t ms) {
    bell_wait(&((ui_sim_t *)sim)->producer_bell, ms);
}

// The renderer rings the producer: the CM7's HSEM interrupt.
static void ring_producer(void *ctx) {
    ui_sim_t *s = ctx;
    bell_ring(&s->producer_bell);
    pthread_mutex_lock(&s->hook_lock);
    if (s->bell_hook) {
        s->bell_hook(s->bell_ctx);
    }
    pthread_mutex_unlock(&s->hook_lock);
}

void ui_sim_set_bell_hook(ui_sim_t *s, void (*hook)(void *ctx), void *ctx) {
    pthread_mutex_lock(&s->hook_lock);
    s->bell_hook = hook;
    s->bell_ctx = ctx;
    pthread_mutex_unlock(&s->hook_lock);
}

void ui_sim_pause(ui_sim_t *s, bool paused) {
    atomic_store(&s->paused, paused);
    bell_ring(&s->renderer_bell);
}

void *ui_sim_region(ui_sim_t *s, uint32_t *size) {
    *size = s->region_size;
    return s->region;
}

const ui_fb_t *ui_sim_fb(ui_sim_t *s) {
    return &s->fb;
}

bool ui_sim_has_window(ui_sim_t *s) {
    return atomic_load(&s->window_open);
}

#if UI_SIM_SDL
static bool sdl_load(ui_sim_t *s) {
    sdl_api_t *a = &s->sdl;
    a->lib = dlopen("libSDL2-2.0.so.0", RTLD_NOW | RTLD_LOCAL);
    if (a->lib == NULL) {
        snprintf(s->start_error, sizeof(s->start_error), "window: cannot load SDL2 (%s)", dlerror());
        return false;
    }
#define LOAD(field, name) \
    do { \
        *(void **)(&a->field) = dlsym(a->lib, name); \
        if (a->field == NULL) { \
            snprintf(s->start_error, sizeof(s->start_error), "window: SDL2 lacks %s", name); \
            return false; \
        } \
    } while (0)
    LOAD(Init, "SDL_Init");
    LOAD(QuitSubSystem, "SDL_QuitSubSystem");
    LOAD(GetError, "SDL_GetError");
    LOAD(CreateWindow, "SDL_CreateWindow");
    LOAD(DestroyWindow, "SDL_DestroyWindow");
    LOAD(CreateRenderer, "SDL_CreateRenderer");
    LOAD(DestroyRenderer, "SDL_DestroyRenderer");
    LOAD(CreateTexture, "SDL_CreateTexture");
    LOAD(DestroyTexture, "SDL_DestroyTexture");
    LOAD(UpdateTexture, "SDL_UpdateTexture");
    LOAD(RenderCopy, "SDL_RenderCopy");
    LOAD(RenderPresent, "SDL_RenderPresent");
    LOAD(PollEvent, "SDL_PollEvent");
    LOAD(PushEvent, "SDL_PushEvent");
#undef LOAD
    return true;
}

static bool window_open(ui_sim_t *s) {
    if (!sdl_load(s)) {
        return false;
    }
    sdl_api_t *a = &s->sdl;
    if (a->Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        snprintf(s->start_error, sizeof(s->start_error), "window: %s", a->GetError());
        return false;
    }
    s->win = a->CreateWindow(s->cfg.title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
        s->cfg.width, s->cfg.height, 0);
    s->ren = s->win ? a->CreateRenderer(s->win, -1, SDL_RENDERER_SOFTWARE) : NULL;
    uint32_t fmt = s->cfg.format == UI_FMT_RGB565 ? SDL_PIXELFORMAT_RGB565 : SDL_PIXELFORMAT_ARGB8888;
    s->tex = s->ren ? a->CreateTexture(s->ren, fmt, SDL_TEXTUREACCESS_STREAMING, s->cfg.width,
                          s->cfg.height)
                    : NULL;
    if (s->tex == NULL) {
        snprintf(s->start_error, sizeof(s->start_error), "window: %s", a->GetError());
        return false;
    }
    return true;
}

static void window_close(ui_sim_t *s) {
    sdl_api_t *a = &s->sdl;
    if (s->tex) {
        a->DestroyTexture(s->tex);
    }
    if (s->ren) {
        a->DestroyRenderer(s->ren);
    }
    if (s->win) {
        a->DestroyWindow(s->win);
    }
    if (a->QuitSubSystem) {
        a->QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
    }
    s->tex = NULL;
    s->ren = NULL;
    s->win = NULL;
    atomic_store(&s->window_open, false);
    // The library stays loaded: SDL keeps threads and handlers that must
    // not lose their code.
}

static void window_show(ui_sim_t *s) {
    sdl_api_t *a = &s->sdl;
    a->UpdateTexture(s->tex, NULL, s->fb.pixels, (int)s->fb.stride);
    a->RenderCopy(s->ren, s->tex, NULL, NULL);
    a->RenderPresent(s->ren);
}

// Window input becomes the touch panel's events.
static void window_pump(ui_sim_t *s) {
    sdl_api_t *a = &s->sdl;
    SDL_Event ev;
    while (s->win && a->PollEvent(&ev)) {
        ui_event_t e = {0};
        switch (ev.type) {
            case SDL_MOUSEBUTTONDOWN:
                if (ev.button.button != SDL_BUTTON_LEFT) {
                    continue;
                }
                e.kind = UI_EV_TAP;
                s->mouse_x = ev.button.x;
                s->mouse_y = ev.button.y;
                break;
            case SDL_MOUSEMOTION:
                e.kind = UI_EV_MOVE;
                s->mouse_x = ev.motion.x;
                s->mouse_y = ev.motion.y;
                break;
            case SDL_MOUSEWHEEL:
                e.kind = UI_EV_SCROLL;
                e.key = ev.wheel.y;
                break;
            case SDL_KEYDOWN:
                e.kind = UI_EV_KEY;
                e.key = ev.key.keysym.sym;
                break;
            case SDL_QUIT:
                window_close(s);
                return;
            default:
                continue;
        }
        e.x = (int16_t)s->mouse_x;
        e.y = (int16_t)s->mouse_y;
        ui_renderer_input(&s->renderer, &e);
    }
}

int ui_sim_window_inject(ui_sim_t *s, ui_event_kind_t kind, int32_t x, int32_t y, int32_t key) {
    if (!atomic_load(&s->window_open)) {
        return ENODEV;
    }
    SDL_Event ev;
    memset(&ev, 0, sizeof(ev));
    switch (kind) {
        case UI_EV_TAP:
            ev.type = SDL_MOUSEBUTTONDOWN;
            ev.button.button = SDL_BUTTON_LEFT;
            ev.button.state = SDL_PRESSED;
            ev.button.x = x;
            ev.button.y = y;
            break;
        case UI_EV_MOVE:
            ev.type = SDL_MOUSEMOTION;
            ev.motion.x = x;
            ev.motion.y = y;
            break;
        case UI_EV_SCROLL:
            ev.type = SDL_MOUSEWHEEL;
            ev.wheel.y = key;
            break;
        case UI_EV_KEY:
            ev.type = SDL_KEYDOWN;
            ev.key.state = SDL_PRESSED;
            ev.key.keysym.sym = key;
            break;
        default:
            return EINVAL;
    }
    if (s->sdl.PushEvent(&ev) != 1) {
        return EAGAIN;
    }
    bell_ring(&s->renderer_bell);
    return 0;
}
#else
int ui_sim_window_inject(ui_sim_t *s, ui_event_kind_t kind, int32_t x, int32_t y, int32_t key) {
    (void)s;
    (void)kind;
    (void)x;
    (void)y;
    (void)key;
    return ENODEV;
}
#endif

static void *renderer_main(void *arg) {
    ui_sim_t *s = arg;
    ui_renderer_port_t port = {now_us, ring_producer, s};
    s->start_status = UI_OK;
#if UI_SIM_SDL
    if (s->cfg.window) {
        if (window_open(s)) {
            atomic_store(&s->window_open, true);
        } else {
            window_close(s);
            s->start_status = UI_E_CONFIG;
        }
    }
#else
    if (s->cfg.window) {
        snprintf(s->start_error, sizeof(s->start_error),
            "window: this build has no SDL2 (install libsdl2-dev and rebuild)");
        s->start_status = UI_E_CONFIG;
    }
#endif
    if (s->start_status == UI_OK) {
        s->start_status = ui_renderer_attach(&s->renderer, s->region, s->region_size, &s->fb,
            s->scene_mem, UI_SCENE_MEM(s->cfg.max_nodes), s->cfg.max_nodes, s->cfg.background,
            &port);
        if (s->start_status != UI_OK) {
            snprintf(s->start_error, sizeof(s->start_error), "renderer: %s",
                ui_status_message(s->start_status));
        }
    }
    atomic_store(&s->started, true);
    bell_ring(&s->producer_bell);
    if (s->start_status != UI_OK) {
        return NULL;
    }
    // Idle polling interval: the window needs its events pumped.
    uint32_t idle_ms = s->cfg.window ? 10u : 200u;
    while (!atomic_load(&s->stop)) {
        uint32_t taken = 0;
        if (!atomic_load(&s->paused)) {
            taken = ui_renderer_poll(&s->renderer, 256);
        }
#if UI_SIM_SDL
        if (atomic_load(&s->window_open)) {
            uint32_t frame = atomic_load(&s->renderer.hdr->frame_done);
            if (frame != s->shown_frame) {
                s->shown_frame = frame;
                window_show(s);
            }
            window_pump(s);
        }
#endif
        if (taken == 0) {
            bell_wait(&s->renderer_bell, idle_ms);
        }
    }
#if UI_SIM_SDL
    if (s->win) {
        window_close(s);
    }
#endif
    return NULL;
}

static void sim_free(ui_sim_t *s) {
    bell_destroy(&s->renderer_bell);
    bell_destroy(&s->producer_bell);
    pthread_mutex_destroy(&s->hook_lock);
    free(s->region);
    free(s->pixels);
    free(s->scene_mem);
    free(s);
}

ui_status_t ui_sim_open(ui_sim_t **out, const ui_sim_config_t *cfg, char *err, size_t err_len) {
    *out = NULL;
    uint32_t bpp = ui_format_bpp(cfg->format);
    if (bpp == 0 || cfg->width <= 0 || cfg->height <= 0 || cfg->width > UI_DISPLAY_MAX ||
        cfg->height > UI_DISPLAY_MAX || cfg->max_nodes == 0 || cfg->max_nodes > 65535u ||
        cfg->background > UI_COLOR_MAX) {
        snprintf(err, err_len, "width and height must be 1..4096, max_nodes 1..65535");
        return UI_E_CONFIG;
    }
    ui_sim_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(err, err_len, "out of memory");
        return UI_E_CONFIG;
    }
    s->cfg = *cfg;
    s->region_size = ui_link_region_size(cfg->cmd_ring, cfg->evt_ring);
    size_t fb_bytes = (size_t)cfg->width * (size_t)cfg->height * bpp;
    s->region = aligned_alloc(32, (s->region_size + 31u) & ~31u);
    s->pixels = aligned_alloc(32, (fb_bytes + 31u) & ~(size_t)31u);
    s->scene_mem = aligned_alloc(32, (UI_SCENE_MEM(cfg->max_nodes) + 31u) & ~(size_t)31u);
    bell_init(&s->renderer_bell);
    bell_init(&s->producer_bell);
    pthread_mutex_init(&s->hook_lock, NULL);
    if (s->pixels != NULL) {
        memset(s->pixels, 0, fb_bytes);  // black until the first present(), not whatever the heap held
    }
    ui_status_t st = UI_E_CONFIG;
    if (s->region == NULL || s->pixels == NULL || s->scene_mem == NULL) {
        snprintf(err, err_len, "out of memory");
    } else if (memset(s->region, 0, UI_LINK_HEADER_SIZE) == NULL ||  // no want_* (the sim's renderer has the cfg)
               ui_link_init(s->region, s->region_size, cfg->cmd_ring, cfg->evt_ring) != UI_OK) {
        snprintf(err, err_len, "ring sizes must be powers of two, 1 KiB..16 MiB");
    } else if (ui_fb_init(&s->fb, s->pixels, fb_bytes, cfg->width, cfg->height, cfg->format) !=
               UI_OK) {
        snprintf(err, err_len, "unusable framebuffer");
    } else if (cfg->cmd_ring < 1024u || pthread_create(&s->thread, NULL, renderer_main, s) != 0) {
        snprintf(err, err_len, cfg->cmd_ring < 1024u ? "command ring must be at least 1 KiB"
                                                     : "cannot start the renderer thread");
    } else {
        while (!atomic_load(&s->started)) {
            bell_wait(&s->producer_bell, 10);
        }
        if (s->start_status == UI_OK) {
            *out = s;
            return UI_OK;
        }
        pthread_join(s->thread, NULL);
        snprintf(err, err_len, "%s", s->start_error);
        st = s->start_status;
        s->thread = 0;
    }
    sim_free(s);
    return st;
}

void ui_sim_close(ui_sim_t *s) {
    if (s == NULL) {
        return;
    }
    atomic_store(&s->stop, true);
    bell_ring(&s->renderer_bell);
    pthread_join(s->thread, NULL);
    sim_free(s);
}
