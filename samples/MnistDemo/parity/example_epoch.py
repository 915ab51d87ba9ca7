# The PyTorch MNIST example's recipe (examples/mnist/main.py) in PyTorch, without torchvision: the same CNN with its
# dropout, the same normalisation, shuffled batches of 64, mean NLL loss, Adadelta lr 1.0, StepLR gamma 0.7 per epoch,
# and the test pass in batches of 1000 in eval mode. One torch thread, seeded by torch.manual_seed(seed) before the
# model is built, as the example does.
#   python3 example_epoch.py DATA SEED [EPOCHS] [--no-dropout] [--steps=FILE] [--limit=N] [--demo-seeding]
# prints the parameter statistics of the initial weights, then one line per epoch with the test accuracy; --steps
# writes each step's loss as the demo's steps.csv does (step,epoch,loss); --limit trains on the first N images;
# --demo-seeding reseeds torch's generator before each epoch's permutation as the demo does (seed * 1000003 + epoch),
# so that, where both libtorch versions draw the same random numbers, the two runs see the same batches and dropout masks.
import gzip, struct, sys, time, numpy as np, torch, torch.nn as nn, torch.nn.functional as F

torch.set_num_threads(1)
args = [a for a in sys.argv[1:] if not a.startswith('--')]
dropout = '--no-dropout' not in sys.argv
steps_file = next((a.split('=', 1)[1] for a in sys.argv if a.startswith('--steps=')), None)
step_rows = ['step,epoch,loss']
limit = next((int(a.split('=', 1)[1]) for a in sys.argv if a.startswith('--limit=')), None)
demo_seeding = '--demo-seeding' in sys.argv
d, seed = args[0], int(args[1]); epochs = int(args[2]) if len(args) > 2 else 1

def idx(p):
    with gzip.open(p) as f: b = f.read()
    nd = b[3]; dims = struct.unpack('>' + 'I' * nd, b[4:4 + 4 * nd])
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims)

def split(prefix):
    x = torch.tensor(idx(f'{d}/{prefix}-images-idx3-ubyte.gz'), dtype=torch.float32).div(255).sub(0.1307).div(0.3081).unsqueeze(1)
    return x, torch.tensor(idx(f'{d}/{prefix}-labels-idx1-ubyte.gz').astype(np.int64))

xtr, ytr = split('train'); xte, yte = split('t10k')
if limit: xtr, ytr = xtr[:limit], ytr[:limit]

class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv1 = nn.Conv2d(1, 32, 3, 1); s.conv2 = nn.Conv2d(32, 64, 3, 1)
        s.dropout1 = nn.Dropout(0.25); s.dropout2 = nn.Dropout(0.5)
        s.fc1 = nn.Linear(9216, 128); s.fc2 = nn.Linear(128, 10)
    def forward(s, x):
        x = F.relu(s.conv1(x)); x = F.relu(s.conv2(x)); x = F.max_pool2d(x, 2)
        if dropout: x = s.dropout1(x)
        x = F.relu(s.fc1(torch.flatten(x, 1)))
        if dropout: x = s.dropout2(x)
        return F.log_softmax(s.fc2(x), dim=1)

torch.manual_seed(seed)
m = Net()
for name, p in m.named_parameters():
    t = p.detach().double()
    print(f'init {name} mean {t.mean().item():+.6f} std {t.std().item():.6f} min {t.min().item():+.6f} max {t.max().item():+.6f}')
opt = torch.optim.Adadelta(m.parameters(), lr=1.0)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
n = xtr.shape[0]
for epoch in range(1, epochs + 1):
    m.train(); t0 = time.time(); c0 = time.process_time(); loss_sum = 0.0; batches = 0
    if demo_seeding: torch.manual_seed(seed * 1000003 + epoch)
    order = torch.randperm(n)
    for start in range(0, n, 64):
        i = order[start:start + 64]
        opt.zero_grad(); loss = F.nll_loss(m(xtr[i]), ytr[i]); loss.backward(); opt.step()
        loss_sum += loss.item(); batches += 1; step_rows.append(f'{len(step_rows)},{epoch},{loss.item()!r}')
    sched.step()
    m.eval(); test_loss = 0.0; correct = 0
    with torch.no_grad():
        for start in range(0, xte.shape[0], 1000):
            out = m(xte[start:start + 1000]); y = yte[start:start + 1000]
            test_loss += F.nll_loss(out, y, reduction='sum').item(); correct += out.argmax(1).eq(y).sum().item()
    print(f'seed {seed} epoch {epoch}: train loss {loss_sum / batches:.4f}, test loss {test_loss / xte.shape[0]:.4f}, '
          f'test accuracy {100 * correct / xte.shape[0]:.2f}%, {time.time() - t0:.1f} s ({time.process_time() - c0:.1f} s CPU)', flush=True)
if steps_file:
    with open(steps_file, 'w') as f: f.write('\n'.join(step_rows) + '\n')
