# Same initial weights, same batches, no dropout: PyTorch's losses step by step, and the weights for TorchSharp.
import gzip, struct, sys, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1)
d = sys.argv[1]; out = sys.argv[2]; steps = int(sys.argv[3])
def idx(p):
    with gzip.open(p) as f: b = f.read()
    nd = b[3]; dims = struct.unpack('>' + 'I'*nd, b[4:4+4*nd]); return np.frombuffer(b, np.uint8, offset=4+4*nd).reshape(dims)
x = torch.tensor(idx(f'{d}/train-images-idx3-ubyte.gz')[:64*steps], dtype=torch.float32).div(255).sub(0.1307).div(0.3081).unsqueeze(1)
y = torch.tensor(idx(f'{d}/train-labels-idx1-ubyte.gz')[:64*steps].astype(np.int64))
class Net(nn.Module):
    def __init__(s):
        super().__init__(); s.conv1 = nn.Conv2d(1, 32, 3, 1); s.conv2 = nn.Conv2d(32, 64, 3, 1); s.fc1 = nn.Linear(9216, 128); s.fc2 = nn.Linear(128, 10)
    def forward(s, x):
        x = F.relu(s.conv1(x)); x = F.relu(s.conv2(x)); x = F.max_pool2d(x, 2); x = torch.flatten(x, 1); x = F.relu(s.fc1(x)); return F.log_softmax(s.fc2(x), dim=1)
torch.manual_seed(1); m = Net()
for name, p in m.named_parameters(): p.detach().numpy().astype('<f4').tofile(f'{out}/{name}.bin')
opt = torch.optim.Adadelta(m.parameters(), lr=1.0)
for i in range(steps):
    opt.zero_grad(); loss = F.nll_loss(m(x[i*64:(i+1)*64]), y[i*64:(i+1)*64]); loss.backward(); opt.step(); print(f'{i+1} {loss.item():.7f}')
