package io.resnetstream.resnet;

/** How a residual block's input reaches its addition (He et al. 2015, §3.3 and §4.1, Table 3). */
public enum ShortcutOption {
    /** No shortcut: the paper's plain networks. */
    NONE,
    /** Identity; where dimensions grow, stride-2 subsampling and zero-padded extra channels (no parameters). */
    A,
    /** Identity; a 1×1 projection with batch norm only where dimensions grow. */
    B,
    /** A 1×1 projection with batch norm on every block. */
    C
}
