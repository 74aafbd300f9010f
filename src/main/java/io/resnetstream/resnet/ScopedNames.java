package io.resnetstream.resnet;

import org.tensorflow.op.Ops;

/** Turns a slash-separated weight name into nested TensorFlow name scopes, which reject slashes in op names. */
public final class ScopedNames {

    private ScopedNames() {}

    /** Ops whose next operation is called {@code name}, e.g. {@code conv1/bn/gamma}. */
    public static Ops named(Ops tf, String name) {
        String[] parts = name.split("/");
        Ops scoped = tf;
        for (int i = 0; i < parts.length - 1; i++) {
            scoped = scoped.withSubScope(parts[i]);
        }
        return scoped.withName(parts[parts.length - 1]);
    }
}
