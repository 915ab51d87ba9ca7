# Mean loss per window of steps for two step-loss files (step,epoch,loss: the demo's steps.csv, example_epoch.py --steps).
#   python3 compare_steps.py PYTORCH_STEPS DEMO_STEPS [WINDOW]
import sys
def losses(path):
    with open(path) as f: return [float(line.split(',')[2]) for line in f.readlines()[1:] if line.strip()]
a, b = losses(sys.argv[1]), losses(sys.argv[2]); w = int(sys.argv[3]) if len(sys.argv) > 3 else 100
if len(a) != len(b): sys.exit(f'{sys.argv[1]} has {len(a)} steps, {sys.argv[2]} has {len(b)}')
# Single steps keep float32's seven digits, so rounding-level agreement is visible; window means need four.
d = 7 if w == 1 else 4
print('steps pytorch_mean_loss demo_mean_loss')
for s in range(0, len(a), w):
    n = len(a[s:s + w]); print(f'{s + 1}-{s + n} {sum(a[s:s + w]) / n:.{d}f} {sum(b[s:s + w]) / n:.{d}f}')
print(f'all {sum(a) / len(a):.4f} {sum(b) / len(b):.4f}')
