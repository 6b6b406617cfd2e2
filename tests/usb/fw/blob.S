/* SPDX-License-Identifier: MIT */
    .section .rodata.blob, "a"
    .global blob
blob:
    .incbin "blob.bin"
