#!/usr/bin/env python3
"""One-time export of a real ImageNet ResNet-50 for resnet-stream (run where pip and the internet work).

    pip install "tensorflow>=2.10,<2.16"          # Keras 2: tf.saved_model.save keeps the input_1/predictions signature
    python3 export_keras_resnet50.py --out /models/keras-resnet50
    python3 export_keras_resnet50.py --out /models/tfhub-resnet50 --hub https://tfhub.dev/google/imagenet/resnet_v1_50/classification/5

Then run the service with RESNET_MODEL_DIR=/models/keras-resnet50. The script writes, beside the
SavedModel, the manifest.json the pipeline reads (name, version, digest, preprocessing preset, sizes,
signature names) and labels.txt (the 1,000 ImageNet classes, shipped in this folder).

Keras ResNet50 weights expect the "caffe" preset (BGR, ImageNet mean subtracted, no scaling) and
output softmax probabilities. TF-Hub's ResNet-50 classifiers (e.g. imagenet/resnet_v2_50/classification)
expect RGB in [0, 1] and output 1,001 logits with a background class at index 0: the export puts a
Rescaling layer in front so the model takes the "tf" preset's [-1, 1], and writes outputIsLogits=true
and a labels file with "background" first.
"""
import argparse
import hashlib
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))


def digest(model_dir):
    h = hashlib.sha256()
    files = [os.path.join(model_dir, "saved_model.pb")]
    var_dir = os.path.join(model_dir, "variables")
    if os.path.isdir(var_dir):
        files += sorted(os.path.join(var_dir, f) for f in os.listdir(var_dir))
    for f in files:
        with open(f, "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def signature_names(model_dir):
    import tensorflow as tf
    sig = tf.saved_model.load(model_dir).signatures["serving_default"]
    inputs = list(sig.structured_input_signature[1].keys())
    outputs = list(sig.structured_outputs.keys())
    return inputs[0], outputs[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--hub", help="a TF-Hub classification model handle instead of Keras ResNet50")
    args = ap.parse_args()
    import tensorflow as tf

    labels = open(os.path.join(HERE, "labels.txt")).read().splitlines()
    if args.hub:
        import tensorflow_hub as hub
        model = tf.keras.Sequential([tf.keras.Input(shape=(224, 224, 3), name="input_1"),
                                     tf.keras.layers.Rescaling(0.5, offset=0.5),  # [-1, 1] -> [0, 1]
                                     hub.KerasLayer(args.hub, name="logits")])
        tf.saved_model.save(model, args.out)
        name, preset, logits = "tfhub-resnet50", "tf", True
        labels = ["background"] + labels
    else:
        model = tf.keras.applications.ResNet50(weights="imagenet")
        tf.saved_model.save(model, args.out)
        name, preset, logits = "keras-resnet50", "caffe", False

    input_name, output_name = signature_names(args.out)
    with open(os.path.join(args.out, "labels.txt"), "w") as fh:
        fh.write("\n".join(labels) + "\n")
    manifest = {"name": name, "version": tf.__version__, "digest": digest(args.out), "normalization": preset,
                "resize": 256, "crop": 224, "inputName": input_name, "outputName": output_name,
                "outputIsLogits": logits, "labelsFile": "labels.txt"}
    with open(os.path.join(args.out, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=2)
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
