import { connectToEngine } from './tools/container-engine';
import { ensureDynaliteImage } from './tools/images';

(async () => {
  const t0 = Date.now();
  const { engine, reason } = await connectToEngine((l) => console.error(l));
  if (!engine) throw new Error(reason);
  console.error('engine in', Date.now() - t0);
  const r = await ensureDynaliteImage(engine, (l) => console.error(l));
  console.error(r, Date.now() - t0);
})();
