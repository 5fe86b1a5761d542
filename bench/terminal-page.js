// Runs inside the browser page for bench/terminal.ts: speaks the terminal protocol over
// the page's own WebSocket, acknowledging output as it arrives (the client a page with
// no xterm would be). Returns keystroke echo times (ms) and burst throughput (MB/s).
// eslint-disable-next-line @typescript-eslint/no-unused-expressions -- the file is one expression, evaluated by page.evaluate
async ({ keystrokes, terminal, burstBytes }) => {
  const ws = new WebSocket(`ws://${location.host}/ws/terminal/${terminal}`);
  let output = '';
  let tail = '';
  let chars = 0;
  let received = 0;
  let ready = false;
  let finished = false;
  // Resolved from onmessage itself: polling with timers would quantize the figures
  // (browsers clamp nested timers to 4 ms).
  let waiter = null;
  const ack = (message) => {
    received += message.data.length;
    ws.send(JSON.stringify({ t: 'ack', chars: received }));
  };
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    if (message.t === 'ready') ready = true;
    if (message.t === 'output') {
      output += message.data;
      ack(message);
    }
    if (waiter && waiter.done()) {
      const { resolve } = waiter;
      waiter = null;
      resolve();
    }
  };
  await new Promise((resolve) => (ws.onopen = resolve));
  ws.send(JSON.stringify({ t: 'hello', lastSeq: 0, cols: 120, rows: 40 }));
  const until = (done, ms) =>
    done()
      ? Promise.resolve()
      : new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`timed out; output: ${output.slice(-200)}`)), ms);
          waiter = { done, resolve: () => (clearTimeout(timer), resolve()) };
        });
  const input = (data) => ws.send(JSON.stringify({ t: 'input', data }));
  await until(() => ready, 180000);
  input('stty -ixon; echo bench-$((1+1))-ready\r');
  await until(() => output.includes('bench-2-ready\r\n'), 60000);
  await new Promise((resolve) => setTimeout(resolve, 500));

  const echo = [];
  for (let i = 0; i < keystrokes; i++) {
    output = '';
    const start = performance.now();
    input('x');
    await until(() => output.includes('x'), 10000);
    echo.push(performance.now() - start);
    if (i % 50 === 49) input('\x15');
  }

  input('\x15clear\r');
  await new Promise((resolve) => setTimeout(resolve, 500));
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    if (message.t !== 'output') return;
    ack(message);
    chars += message.data.length;
    // Look before trimming: the prompt after the marker can arrive in the same chunk.
    const seen = tail + message.data;
    if (seen.includes('burst-42-end')) finished = true;
    tail = seen.slice(-64);
    if (finished && waiter) waiter.resolve();
  };
  const start = performance.now();
  input(`head -c ${burstBytes} /dev/zero | tr '\\0' y; echo; echo burst-$((40+2))-end\r`);
  await until(() => finished, 120000);
  const seconds = (performance.now() - start) / 1000;
  ws.close();
  return { echo, burstMBps: chars / 1e6 / seconds };
}
