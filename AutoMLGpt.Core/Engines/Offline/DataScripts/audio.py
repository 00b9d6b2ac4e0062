# {{> DataScripts/header.py}}
import argparse
from pathlib import Path

import torch
import torchaudio

CLASSES = "{{CLASSES}}"
SAMPLE_RATE = 16_000
CLIP_SECONDS = 10
N_MELS = 128  # Audio Spectrogram Transformer input: 128 mel bins, 10 ms hop

mel = torchaudio.transforms.MelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=400, hop_length=160, n_mels=N_MELS)
to_db = torchaudio.transforms.AmplitudeToDB(top_db=80)


def featurize(path: Path) -> torch.Tensor:
    wave, sr = torchaudio.load(str(path))
    wave = wave.mean(dim=0, keepdim=True)  # mono
    if sr != SAMPLE_RATE:
        wave = torchaudio.functional.resample(wave, sr, SAMPLE_RATE)
    n = SAMPLE_RATE * CLIP_SECONDS
    wave = torch.nn.functional.pad(wave, (0, max(0, n - wave.shape[1])))[:, :n]
    spec = to_db(mel(wave))
    return (spec - spec.mean()) / (spec.std() + 1e-6)  # (1, 128, 1001): an image for the patch encoder


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, required=True, help="root/<class name>/<clip>.wav")
    args = parser.parse_args()
    classes = CLASSES or sorted(p.name for p in args.root.iterdir() if p.is_dir())
    clips = [(p, i) for i, c in enumerate(classes) for p in sorted((args.root / c).glob("*.wav"))]
    if not clips:
        raise SystemExit(f"no .wav files under {args.root}/<class>/")
    x = featurize(clips[0][0])
    print(f"{len(clips)} clips in {len(classes)} classes; features {tuple(x.shape)}")


if __name__ == "__main__":
    main()
