// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// mpx-dfu's own command line: OPTIONS COMMAND [ARGS], parsed into `options`
// and run by the actions (actions.c) that dfu-util's command line runs too.
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mpx_dfu.h"

const char native_usage_text[] =
    "usage: mpx-dfu [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Flash STM32 boards (and other DFU 1.1 / DfuSe devices) over USB.\n"
    "\n"
    "commands:\n"
    "  list                       DFU devices, their alt settings and memory layouts\n"
    "  flash FILE                 erase the pages FILE touches, write, verify, leave\n"
    "                             (FILE: .dfu, Intel .hex, ELF; raw binary with --address)\n"
    "  read ADDRESS LENGTH OUT    read device memory to OUT ('-' for stdout)\n"
    "  erase ADDRESS LENGTH       erase the pages of that range (--mass-erase: all)\n"
    "  leave                      leave DFU mode and start the application\n"
    "  unprotect --yes            remove read protection (the device erases ALL flash)\n"
    "  info FILE                  what a .dfu, .hex or ELF file holds\n"
    "  convert IN OUT.dfu         build a DfuSe file from .hex, ELF, or raw binary (--address)\n"
    "\n"
    "files: a name ending .dfu must be a DfuSe file, .hex/.ihex Intel HEX, .elf an\n"
    "ELF; others are recognised by their content. Raw binary is written only where\n"
    "you say (--address, or --format bin for the start of the alt's memory), and\n"
    "never a file that is not firmware (empty, zeros, text, a web page, an archive).\n"
    "\n"
    "device selection:\n"
    "  -d, --device VID:PID[,VID:PID]  match these ids (the second: in DFU mode)\n"
    "  -S, --serial SERIAL        match this serial number\n"
    "  -p, --path BUS-PORT[.PORT] match this USB port (as `list` prints it)\n"
    "  -a, --alt N                alt setting for read/erase/raw binary (default 0)\n"
    "  -t, --transfer-size N      override the device's wTransferSize\n"
    "  -w, --wait SECONDS         wait this long for the device to appear\n"
    "      --timeout MS           per-request timeout, and how long the device may stay\n"
    "                             busy (default 5000 and 60000; mass erase at least 40000)\n"
    "      --sim[=LAYOUT]         use the built-in virtual STM32 bootloader instead of USB\n"
    "                             (LAYOUT: one alt setting's \"@Name/0xADDR/NN*SSSKg\"; also\n"
    "                             MPX_DFU_SIM=1 or =LAYOUT; flash kept in MPX_DFU_SIM_IMAGE)\n"
    "\n"
    "flash options:\n"
    "  -s, --address ADDRESS      where raw binary goes\n"
    "      --mass-erase           erase the whole flash instead of the touched pages\n"
    "      --no-verify            skip reading back what was written\n"
    "      --no-leave             stay in DFU mode afterwards\n"
    "      --jump ADDRESS         leave to ADDRESS (default: the image's start)\n"
    "      --force                allow addresses outside the device's layout\n"
    "      --option-bytes         allow writing an Option Bytes alt setting\n"
    "      --allow-rdp-level-2    allow option bytes that set RDP level 2 (irreversible)\n"
    "      --per-chunk-address    set the address before every chunk (slower, for odd bootloaders)\n"
    "      --no-check-id          flash a .dfu whose suffix names another VID:PID\n"
    "      --format dfu|hex|elf|bin  what the file is (default: its name, then its contents)\n"
    "      --pad N                convert: pad elements to N bytes (default 8)\n"
    "\n"
    "output:\n"
    "  -j, --json                 one JSON object per line on stdout (progress events;\n"
    "                             the last: done, with requests and ms since opening)\n"
    "  -v, --verbose              more detail (twice: every USB request)\n"
    "  -q, --quiet                no progress\n"
    "  -h, --help                 this text;  -V, --version\n"
    "\n"
    "exit status: 0 ok, 1 other error, 2 usage (or no such alt setting), 3 bad file,\n"
    "4 no device or no access, 5 USB communication failed, 6 the device reported an\n"
    "error, 7 verification failed, 8 refused (outside the layout, or needs an opt-in),\n"
    "130 interrupted. dfu-util's command line exits with dfu-util's codes (below).\n"
    "\n";

const struct option native_long_options[] = {
    COMMON_LONG_OPTIONS, {"serial", required_argument, NULL, 'S'}, {"alt", required_argument, NULL, 'a'},
    {"wait", required_argument, NULL, 'w'}, {"address", required_argument, NULL, 's'},
    {"mass-erase", no_argument, NULL, OPT_MASS}, {"no-leave", no_argument, NULL, OPT_NO_LEAVE},
    {"force", no_argument, NULL, OPT_FORCE}, {"pad", required_argument, NULL, OPT_PAD},
    {"yes", no_argument, NULL, OPT_YES}, {NULL, 0, NULL, 0},
};

static int run_read(options *o, char **args) {
    uint32_t address, length;
    if (!parse_u32(args[0], &address)) {
        return usage_error(o, "bad address '%s'", args[0]);
    }
    if (!parse_u32(args[1], &length) || length == 0) {
        return usage_error(o, "bad length '%s'", args[1]);
    }
    return cmd_read(o, true, address, length, args[2]);
}

static int run_erase(options *o, int argc, char **argv) {
    uint32_t address = 0, length = 0;
    if (!o->flash.mass_erase) {
        if (argc != 2) {
            return usage_error(o, "%s", "erase needs ADDRESS LENGTH, or --mass-erase");
        }
        if (!parse_u32(argv[0], &address)) {
            return usage_error(o, "bad address '%s'", argv[0]);
        }
        if (!parse_u32(argv[1], &length) || length == 0) {
            return usage_error(o, "bad length '%s'", argv[1]);
        }
    } else if (argc != 0) {
        return usage_error(o, "%s", "erase --mass-erase takes no range");
    }
    return cmd_erase(o, address, length);
}

int native_main(options *o, int argc, char **argv) {
    int c, code;
    uint32_t v;
    while ((c = getopt_long(argc, argv, "d:S:p:a:t:w:s:jvqhV", native_long_options, NULL)) != -1) {
        if ((code = common_option(o, c, optarg)) >= 0) {
            if (code != EXIT_OK) {
                return code;
            }
            continue;
        }
        switch (c) {
            case 'S': o->filter.serial = optarg; break;
            case 'a':
                if (!parse_u32(optarg, &v) || v >= DFU_MAX_ALTS) {
                    return usage_error(o, "bad alt setting '%s' (0..7)", optarg);
                }
                o->alt = (int)v;
                break;
            case 'w':
                if (!parse_u32(optarg, &v) || v > 3600) {
                    return usage_error(o, "bad wait '%s' (seconds, up to 3600)", optarg);
                }
                o->wait_s = v;
                break;
            case 's':
                if (!parse_u32(optarg, &o->address)) {
                    return usage_error(o, "bad address '%s'", optarg);
                }
                o->has_address = true;
                break;
            case OPT_MASS: o->flash.mass_erase = true; break;
            case OPT_NO_LEAVE: o->flash.leave = false; break;
            case OPT_FORCE: o->flash.force = true; break;
            case OPT_PAD:
                if (!parse_u32(optarg, &v) || v == 0 || v > 4096) {
                    return usage_error(o, "bad padding '%s' (1..4096)", optarg);
                }
                o->pad = v;
                break;
            case OPT_YES: o->yes = true; break;
            case 'h': usage(); return EXIT_OK;
            case 'V': printf("mpx-dfu %s\n", MPX_VERSION); return EXIT_OK;
            default: fprintf(stderr, "Try 'mpx-dfu --help'.\n"); return EXIT_USAGE;
        }
    }
    report_init(&o->out, o->json, o->verbose, o->quiet);
    if (optind >= argc) {
        return usage_error(o, "%s", "no command (list, flash, read, erase, leave, unprotect, info, convert)");
    }
    const char *cmd = argv[optind];
    int nargs = argc - optind - 1;
    char **args = argv + optind + 1;
    catch_signals();
    static const struct {
        const char *name;
        int args;  // -1: checked by the command
    } table[] = {{"list", 0}, {"flash", 1}, {"read", 3}, {"erase", -1}, {"leave", 0}, {"unprotect", 0}, {"info", 1},
        {"convert", 2}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(cmd, table[i].name) != 0) {
            continue;
        }
        if (table[i].args >= 0 && nargs != table[i].args) {
            fprintf(stderr, "mpx-dfu: %s takes %d argument%s, %d given\nTry 'mpx-dfu --help'.\n", cmd, table[i].args,
                table[i].args == 1 ? "" : "s", nargs);
            return EXIT_USAGE;
        }
        switch (i) {
            case 0: return cmd_list(o);
            case 1: return cmd_flash(o, args[0]);
            case 2: return run_read(o, args);
            case 3: return run_erase(o, nargs, args);
            case 4: return cmd_leave(o);
            case 5: return cmd_unprotect(o);
            case 6: return cmd_info(o, args[0]);
            default: return cmd_convert(o, args[0], args[1]);
        }
    }
    return usage_error(o, "unknown command '%s'", cmd);
}
