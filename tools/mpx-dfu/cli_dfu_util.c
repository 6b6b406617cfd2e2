// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// dfu-util 0.11's command line (-l, -D, -U, -s ADDRESS:..., -e, -E, -R,
// -Z, -w), with dfu-util's meaning and exit codes, parsed into `options`
// and run by the actions (actions.c) that mpx-dfu's own command line runs.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpx_dfu.h"

const char dfu_util_usage_text[] =
    "dfu-util's command line (mpx-dfu reads a command line as dfu-util 0.11's when it\n"
    "has one of -l -D -U -e -E -R -Z or --dfuse-address, or an -s with a ':' in it, or\n"
    "when it runs as `dfu-util` through a symlink; it then takes no COMMAND):\n"
    "  -l                         list, as dfu-util's \"Found DFU: ...\" lines\n"
    "  -D FILE                    flash FILE ('-': stdin): a .dfu (or .hex, ELF) where it\n"
    "                             says, raw binary at -s ADDRESS; stays in DFU mode\n"
    "  -U FILE                    read to a new FILE: -s ADDRESS:LENGTH, else to the end of\n"
    "                             ADDRESS's memory segment (no -s: 0x4000 bytes)\n"
    "  -s [ADDRESS][:LENGTH][:leave][:mass-erase][:force][:unprotect][:will-reset]\n"
    "                             leave DFU mode after; erase all (needs force); allow\n"
    "                             writes outside the layout; read unprotect alone (needs\n"
    "                             force); allow option bytes (the device resets)\n"
    "  -e                         leave DFU mode (a runtime device: detach into DFU mode)\n"
    "  -E SECONDS                 how long a detached device may take to come back (10)\n"
    "  -R                         DETACH, then a USB reset, when done\n"
    "  -Z N                       accepted (dfu-util uses it for progress only)\n"
    "  -w                         wait for the device, with no time limit\n"
    "  -d VID:PID[,VID:PID] (0x allowed), -S SERIAL[,SERIAL], -p, -a N|NAME (the alt's\n"
    "  whole name string), -t, -v, -h, -V as above. Pages are still erased one by one,\n"
    "  writes verified and the jump address set; the long options above without a\n"
    "  dfu-util counterpart (--no-verify, --jump, --json, --sim, ...) and -q, -j still\n"
    "  work. Not taken: -c, -i, -n, and the wildcards * and - in -d.\n"
    "  Exit status, as dfu-util's: 0 ok (also -l that finds nothing), 64 usage or a\n"
    "  file that is not what it must be, 66 the file cannot be read, 70 internal\n"
    "  error, 73 -U's file cannot be created, 74 no device, no such alt setting, or a\n"
    "  USB or device failure, 130 interrupted.\n"
    "See mpx-dfu(1).\n";

// Which command line this is (the rule in the usage text, mpx-dfu(1) and the
// README): dfu-util's if the program runs as `dfu-util`, or if it has one of
// dfu-util's action options -l -D -U -e -E -R -Z (or their long names), or
// --dfuse-address, or an -s whose value holds a ':'. None of these exist in
// mpx-dfu's own command line, whose -s is a plain address. The scan skips
// the values of mpx-dfu's options, so `-S -Dx` is a serial number.
bool is_dfu_util_command_line(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (strcmp(base, "dfu-util") == 0) {
        return true;
    }
    static const char *const dfu_util_only[] = {"list", "download", "upload", "detach", "detach-delay", "reset",
        "upload-size", "dfuse-address"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            continue;
        }
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name);
            bool native = false;
            for (const struct option *lo = native_long_options; lo->name; lo++) {
                if (strncmp(lo->name, name, n) == 0) {
                    native = true;
                    if (!eq && lo->has_arg == required_argument && i + 1 < argc &&
                        (lo->val != 'w' || argv[i + 1][0] != '-')) {
                        i++;  // its value (dfu-util's --wait has none)
                    }
                    break;
                }
            }
            for (size_t k = 0; !native && n >= 2 && k < sizeof(dfu_util_only) / sizeof(dfu_util_only[0]); k++) {
                if (strncmp(dfu_util_only[k], name, n) == 0) {
                    return true;
                }
            }
            continue;
        }
        for (const char *c = a + 1; *c; c++) {
            if (strchr("lDUeERZ", *c)) {
                return true;
            }
            if (strchr("dSpatws", *c)) {  // mpx-dfu's options with a value
                const char *value = c[1] ? c + 1 : i + 1 < argc ? argv[i + 1] : "";
                if (!c[1] && (*c != 'w' || value[0] != '-')) {
                    i++;
                }
                if (*c == 's' && strchr(value, ':')) {
                    return true;
                }
                break;
            }
        }
    }
    return false;
}

typedef struct {
    bool list, detach, reset;
    const char *download, *upload;
    bool has_address, has_length;
    uint32_t address, length;
    bool leave, mass_erase, force, unprotect, will_reset;
} dfu_util_args;

// -s [ADDRESS][:LENGTH][:leave][:mass-erase][:force][:unprotect][:will-reset]
static int parse_dfuse_address(const options *o, const char *arg, dfu_util_args *u) {
    char buf[256];
    if (strlen(arg) >= sizeof(buf)) {
        return usage_error(o, "-s '%.40s...' is too long", arg);
    }
    strcpy(buf, arg);
    char *field = buf, *next;
    for (int i = 0; field; i++, field = next) {
        next = strchr(field, ':');
        if (next) {
            *next++ = '\0';
        }
        if (i == 0) {
            if (*field && !parse_u32(field, &u->address)) {
                return usage_error(o, "bad address '%s' in -s '%s'", field, arg);
            }
            u->has_address = *field != '\0';
        } else if (strcmp(field, "leave") == 0) {
            u->leave = true;
        } else if (strcmp(field, "mass-erase") == 0) {
            u->mass_erase = true;
        } else if (strcmp(field, "force") == 0) {
            u->force = true;
        } else if (strcmp(field, "unprotect") == 0) {
            u->unprotect = true;
        } else if (strcmp(field, "will-reset") == 0) {
            u->will_reset = true;
        } else if (*field >= '0' && *field <= '9') {
            if (u->has_length) {
                return usage_error(o, "two lengths in -s '%s'", arg);
            }
            if (!parse_u32(field, &u->length) || u->length == 0) {
                return usage_error(o, "bad length '%s' in -s '%s'", field, arg);
            }
            u->has_length = true;
        } else {
            return usage_error(o, "unknown modifier '%s' in -s '%s' (LENGTH, leave, mass-erase, force, unprotect, "
                               "will-reset)", field, arg);
        }
    }
    return EXIT_OK;
}

static const struct option dfu_util_long_options[] = {
    COMMON_LONG_OPTIONS, {"list", no_argument, NULL, 'l'}, {"detach", no_argument, NULL, 'e'},
    {"detach-delay", required_argument, NULL, 'E'}, {"serial", required_argument, NULL, 'S'},
    {"alt", required_argument, NULL, 'a'}, {"upload", required_argument, NULL, 'U'},
    {"upload-size", required_argument, NULL, 'Z'}, {"download", required_argument, NULL, 'D'},
    {"reset", no_argument, NULL, 'R'}, {"wait", no_argument, NULL, 'w'},
    {"dfuse-address", required_argument, NULL, 's'}, {"cfg", required_argument, NULL, 'c'},
    {"intf", required_argument, NULL, 'i'}, {"devnum", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0},
};

int dfu_util_main(options *o, int argc, char **argv) {
    o->dfu_util = true;
    o->flash.leave = false;  // dfu-util stays in DFU mode unless :leave or -e
    dfu_util_args u;
    memset(&u, 0, sizeof(u));
    int c, code;
    uint32_t v;
    opterr = 0;  // the messages below name the option as it was given
    while ((c = getopt_long(argc, argv, ":hVvlejqE:d:p:S:a:t:U:Z:D:Rws:c:i:n:", dfu_util_long_options, NULL)) != -1) {
        if ((code = common_option(o, c, optarg)) >= 0) {
            if (code != EXIT_OK) {
                return code;
            }
            continue;
        }
        switch (c) {
            case 'l': u.list = true; break;
            case 'e': u.detach = true; break;
            case 'R': u.reset = true; break;
            case 'w': o->wait_s = 4000000; break;  // no limit, as dfu-util (Ctrl-C stops it)
            case 'D': u.download = optarg; break;
            case 'U': u.upload = optarg; break;
            case 'E':
                if (!parse_u32(optarg, &v) || v > 3600) {
                    return usage_error(o, "bad -E '%s' (seconds, up to 3600)", optarg);
                }
                o->detach_wait_ms = v * 1000u;
                break;
            case 'Z':  // as in dfu-util, only for the progress: -s ADDRESS:LENGTH sets what is read
                if (!parse_u32(optarg, &v)) {
                    return usage_error(o, "bad -Z '%s' (bytes)", optarg);
                }
                break;
            case 'S': {
                // dfu-util's SERIAL[,SERIAL_DFU]: one serial number for both modes.
                const char *comma = strchr(optarg, ',');
                if (comma && *optarg && comma[1] && (strlen(comma + 1) != (size_t)(comma - optarg) ||
                                                        strncmp(optarg, comma + 1, (size_t)(comma - optarg)) != 0)) {
                    return usage_error(o, "-S '%s': different run-time and DFU-mode serial numbers are not taken", optarg);
                }
                if (comma) {
                    static char serial[128];
                    const char *one = *optarg ? optarg : comma + 1;
                    size_t n = one == optarg ? (size_t)(comma - optarg) : strlen(one);
                    if (n >= sizeof(serial)) {
                        return usage_error(o, "%s", "-S: serial number too long");
                    }
                    memcpy(serial, one, n);
                    serial[n] = '\0';
                    o->filter.serial = n ? serial : NULL;
                } else {
                    o->filter.serial = *optarg ? optarg : NULL;
                }
                break;
            }
            case 'a': {
                char *end;
                errno = 0;
                unsigned long n = strtoul(optarg, &end, 0);
                if (*optarg >= '0' && *optarg <= '9' && *end == '\0' && errno == 0) {
                    if (n > 255) {
                        return usage_error(o, "bad alt setting '%s' (a number, or a name)", optarg);
                    }
                    o->alt = (int)n;
                    o->alt_name = NULL;
                } else {
                    o->alt_name = optarg;  // matched once the device is open
                }
                break;
            }
            case 's':
                if ((code = parse_dfuse_address(o, optarg, &u)) != EXIT_OK) {
                    return code;
                }
                break;
            case 'c': return usage_error(o, "dfu-util's option -c (--cfg) is not taken: mpx-dfu uses the device's "
                                         "active configuration");
            case 'i': return usage_error(o, "dfu-util's option -i (--intf) is not taken: mpx-dfu finds the DFU "
                                         "interface itself");
            case 'n': return usage_error(o, "dfu-util's option -n (--devnum) is not taken: use -p BUS-PORT "
                                         "(from -l) or -S SERIAL");
            case 'h': usage(); return EXIT_OK;
            case 'V': printf("mpx-dfu %s (taking dfu-util 0.11's command line)\n", MPX_VERSION); return EXIT_OK;
            case ':':
                if (optopt && !(optind > 0 && strncmp(argv[optind - 1], "--", 2) == 0)) {
                    return usage_error(o, "option '-%c' needs a value", optopt);
                }
                return usage_error(o, "option '%s' needs a value", argv[optind - 1]);
            default:
                if (optopt) {
                    return usage_error(o, "unknown option '-%c' (in a dfu-util command line)", optopt);
                }
                return usage_error(o, "unknown option '%s' (in a dfu-util command line)", argv[optind - 1]);
        }
    }
    report_init(&o->out, o->json, o->verbose, o->quiet);
    if (optind < argc) {
        return usage_error(o, "'%s': a dfu-util command line (see --help) takes no COMMAND or other argument",
            argv[optind]);
    }
    int actions = u.list + (u.download != NULL) + (u.upload != NULL);
    if (actions > 1) {
        return usage_error(o, "%s", "-l, -D and -U: one at a time");
    }
    bool has_s = u.has_address || u.has_length || u.leave || u.mass_erase || u.force || u.unprotect || u.will_reset;
    if (u.list && (has_s || u.detach || u.reset)) {
        return usage_error(o, "-l lists devices; it does not go with %s", has_s ? "-s" : u.detach ? "-e" : "-R");
    }
    if ((u.mass_erase || u.unprotect) && !u.force) {
        return usage_error(o, "-s ...:%s needs :force as well, as in dfu-util", u.mass_erase ? "mass-erase" : "unprotect");
    }
    if (u.unprotect && (actions || u.mass_erase || u.leave || u.detach || u.reset)) {
        return usage_error(o, "%s", "-s ...:unprotect goes alone: the device erases all of its flash and resets "
                                 "(flash it in a second run)");
    }
    if (u.has_length && !u.upload) {
        return usage_error(o, "%s", "-s ADDRESS:LENGTH: the LENGTH is how much -U reads");
    }
    if (u.mass_erase && u.upload) {
        return usage_error(o, "%s", "-s ...:mass-erase does not go with -U");
    }
    o->flash.force = u.force;
    o->flash.mass_erase = u.mass_erase;
    if (u.will_reset) {
        o->flash.allow_option_bytes = true;  // writing option bytes is what makes an STM32 reset
    }
    o->then_detach = u.reset;
    catch_signals();
    if (u.list) {
        o->list_dfu_util = true;
        code = cmd_list(o);
    } else if (u.download) {
        o->has_address = u.has_address;
        o->address = u.address;
        o->flash.leave = u.leave || u.detach;
        code = cmd_flash(o, u.download);  // "-": standard input
    } else if (u.upload) {
        o->then_leave = u.leave || u.detach;
        code = cmd_read(o, u.has_address, u.address, u.has_length ? u.length : 0, u.upload);
    } else if (u.unprotect) {
        o->yes = true;
        o->unprotect_no_wait = true;
        code = cmd_unprotect(o);
    } else if (u.mass_erase) {
        o->then_leave = u.leave || u.detach;
        code = cmd_erase(o, 0, 0);
    } else if (u.leave || u.detach) {
        if (u.has_address && !o->flash.has_leave_address) {
            o->flash.has_leave_address = true;
            o->flash.leave_address = u.address;
        }
        code = u.detach ? cmd_detach(o) : cmd_leave(o);
    } else {
        return usage_error(o, "%s", "nothing to do: give -l, -D FILE, -U FILE, -e, or -s with :leave, :mass-erase or "
                                 ":unprotect");
    }
    return code;
}
