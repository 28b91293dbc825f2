// ONNX Runtime's side of the CLI comparison (scripts/cli-vs-ort.sh): predict as `implicit4j predict`
// does, one CSV row a sample in, one row of the first output a sample out.
// node ort-predict.js MODEL IN.csv OUT.csv DIMS (e.g. 3,32,32) [BATCH]
const ort = require('onnxruntime-node');
const fs = require('fs');
(async () => {
  const [model, inp, out, dimsArg, batchArg] = process.argv.slice(2);
  const dims = dimsArg.split(',').map(Number);
  const per = dims.reduce((a, b) => a * b, 1);
  const rows = fs.readFileSync(inp, 'utf8').split('\n').filter(l => l.length && !l.startsWith('#'));
  const n = rows.length, batch = Number(batchArg || 64);
  const s = await ort.InferenceSession.create(model);
  const lines = [];
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const data = new Float32Array(m * per);
    for (let r = 0; r < m; r++) {
      const v = rows[i + r].split(',');
      for (let j = 0; j < per; j++) data[r * per + j] = parseFloat(v[j]);
    }
    const feeds = {}; feeds[s.inputNames[0]] = new ort.Tensor('float32', data, [m, ...dims]);
    const res = await s.run(feeds);
    const o = res[s.outputNames[0]];
    const w = o.data.length / m;
    for (let r = 0; r < m; r++) lines.push(Array.from(o.data.slice(r * w, (r + 1) * w)).join(','));
  }
  fs.writeFileSync(out, lines.join('\n') + '\n');
})();
