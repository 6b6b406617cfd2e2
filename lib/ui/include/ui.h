// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// ui: the display stack's core. A scene is a z-ordered stack of nodes (one
// node per z, higher z drawn on top); the renderer owns it, applies commands
// from a ring, redraws only what changed at each present and hit-tests input.
// The producer (ui_client) encodes the same commands and checks them first,
// so that errors reach the caller at once although rendering is asynchronous.
//
// Coordinates: pixels, x right and y down. Areas are half-open:
// ui_area_t {x0, y0, x1, y1} covers x0 <= x < x1 and y0 <= y < y1, so an area
// with x1 <= x0 or y1 <= y0 is empty and the width is x1 - x0.
#ifndef MPX_UI_H
#define MPX_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UI_API_MAJOR 1
#define UI_API_MINOR 0
#define UI_API_PATCH 0

#define UI_TEXT_MAX 255u        // bytes of UTF-8 in one text node
#define UI_GLYPH_W 8
#define UI_GLYPH_H 16
#ifndef UI_DIRTY_MAX
#define UI_DIRTY_MAX 16         // saved dirty areas before a full redraw
#endif
#define UI_COORD_MIN (-32768)
#define UI_COORD_MAX 32767
#define UI_SIZE_MAX 32767       // largest w or h of a rect node
#define UI_COLOR_MAX 0xffffffu
#define UI_KEY_MIN INT32_MIN      // event key (SDL key codes reach 0x4000011a)
#define UI_KEY_MAX INT32_MAX

typedef enum {
    UI_OK = 0,
    UI_E_Z_TAKEN,        // add: a node already has this z
    UI_E_Z_MISSING,      // remove/replace: no node has this z
    UI_E_FULL,           // the scene holds as many nodes as it can
    UI_E_RANGE,          // a coordinate, size, colour or z out of range
    UI_E_TEXT_TOO_LONG,  // text over UI_TEXT_MAX bytes
    UI_E_KIND,           // unknown node or event kind
    UI_E_TIMEOUT,        // the renderer did not make room (or finish) in time
    UI_E_NO_RENDERER,    // the renderer is not running or not attached
    UI_E_PROTOCOL,       // a record or the shared region does not add up
    UI_E_CONFIG,         // width, height, format or sizes unusable
    UI_E_CALLBACK,       // an input callback failed (binding-specific detail)
    UI_E_LINK_HELD,      // open: the renderer did not let go of the last link in time
} ui_status_t;

// Message for a status, for the bindings' exceptions.
const char *ui_status_message(ui_status_t st);

// Which Python exception each status raises, the same in both bindings.
typedef enum {
    UI_EXC_VALUE,     // ValueError: z taken, out of range, text too long, kind
    UI_EXC_KEY,       // KeyError: no node at that z
    UI_EXC_TIMEOUT,   // OSError(ETIMEDOUT)
    UI_EXC_RUNTIME,   // RuntimeError: scene full, no renderer, corrupt or held link, config
} ui_exc_t;
ui_exc_t ui_status_exception(ui_status_t st);

// Names used by the Python API: node kinds (index = ui_kind_t) and event
// kinds (index = ui_event_kind_t); NULL at unused indices.
extern const char *const ui_kind_names[3];
extern const char *const ui_event_names[5];

typedef struct {
    int32_t x0, y0, x1, y1;
} ui_area_t;

static inline int32_t ui_area_w(const ui_area_t *a) {
    return a->x1 - a->x0;
}
static inline int32_t ui_area_h(const ui_area_t *a) {
    return a->y1 - a->y0;
}
static inline bool ui_area_empty(const ui_area_t *a) {
    return a->x1 <= a->x0 || a->y1 <= a->y0;
}
static inline int64_t ui_area_size(const ui_area_t *a) {
    return ui_area_empty(a) ? 0 : (int64_t)ui_area_w(a) * ui_area_h(a);
}
// *out = a & b; returns whether it is non-empty.
bool ui_area_intersect(ui_area_t *out, const ui_area_t *a, const ui_area_t *b);
// *out = the bounding box of a and b (an empty one counts as absent).
void ui_area_union(ui_area_t *out, const ui_area_t *a, const ui_area_t *b);
// Whether inner lies wholly within outer (an empty inner does).
bool ui_area_contains(const ui_area_t *outer, const ui_area_t *inner);
bool ui_area_has_point(const ui_area_t *a, int32_t x, int32_t y);

typedef enum { UI_KIND_RECT = 1, UI_KIND_TEXT = 2 } ui_kind_t;

// A node as the API describes it. Colours are 0xRRGGBB.
typedef struct {
    uint8_t kind;
    int16_t x, y;
    uint16_t w, h;           // rect only; text nodes size themselves
    uint32_t color;          // rect fill; text foreground
    uint32_t bg;             // text background
    uint16_t text_len;
    char text[UI_TEXT_MAX];  // UTF-8, not terminated
} ui_node_t;

typedef enum { UI_EV_TAP = 1, UI_EV_MOVE, UI_EV_KEY, UI_EV_SCROLL } ui_event_kind_t;

#define UI_TARGET_NONE INT32_MIN

// An input event. key: key code for key events, wheel steps (+ up) for
// scroll. target: z of the topmost node under (x, y), or UI_TARGET_NONE.
typedef struct {
    uint8_t kind;
    int16_t x, y;
    int32_t key;
    int32_t target;
} ui_event_t;

// Checks a node as the producer must before sending it (sizes, colours,
// text length, kind). Returns UI_OK or the first problem.
ui_status_t ui_node_check(const ui_node_t *n);
ui_status_t ui_event_check(const ui_event_t *e);

// The area a node covers (text: 8x16 cells, '\n' starts a new line).
ui_area_t ui_node_area(const ui_node_t *n);

// UTF-8: decodes one character at s[*i] (n bytes in all) and advances *i;
// an invalid or truncated sequence gives UI_CHAR_INVALID and skips one byte.
#define UI_CHAR_INVALID 0xfffdu
uint32_t ui_utf8_next(const char *s, size_t n, size_t *i);

#endif
