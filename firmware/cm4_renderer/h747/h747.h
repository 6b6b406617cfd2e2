// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The STM32H747I-DISCO hardware layer of the renderer: display and touch.
#ifndef MPX_CM4_H747_H
#define MPX_CM4_H747_H

#include <stdbool.h>
#include <stdint.h>

#include "ui_draw.h"

// Bring the display up on fb (LTDC layer 1 over the framebuffer, then the
// DSI host and the panel). 0 when the panel answered, -1 otherwise (the
// renderer still renders; nothing is shown).
int display_init(const ui_fb_t *fb);

// Probe the touch controller on I2C4 and arm its interrupt (PK7, falling).
void touch_init(int32_t width, int32_t height);
// The interrupt has fired and the controller was not read since.
bool touch_pending(void);
// Read the controller if its interrupt fired and queue the events.
void touch_poll(void);
// The next queued touch event, if any.
bool touch_next(ui_event_t *e);

#endif
