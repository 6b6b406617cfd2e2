// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// ST's ft5336 component configured as ST's template has it: no calibration
// at start, an 800 x 480 panel.
#ifndef ORACLE_FT5336_CONF_H
#define ORACLE_FT5336_CONF_H

#define FT5336_AUTO_CALIBRATION_ENABLED 0U
#define FT5336_MAX_X_LENGTH 800U
#define FT5336_MAX_Y_LENGTH 480U

#endif
