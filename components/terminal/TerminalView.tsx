'use client';

import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useEffectEvent, useRef, useState, type MouseEvent } from 'react';
import { TerminalConnection, type ConnectionState } from '@/lib/terminal/client.ts';
import { MAX_INPUT_CHARS, type ClientMessage, type WatchNotice } from '@/lib/terminal/protocol.ts';
import { useTerminalBridge } from './TerminalContext.tsx';

const theme = { background: '#14171a', foreground: '#d7dde3', cursor: '#5aa6ff', selectionBackground: '#35506e' };

/**
 * One terminal tab: xterm.js bound to a persistent shell through a reconnecting
 * WebSocket. While `active`, `<Run>` commands from the lesson come here.
 */
export function TerminalView({
  name,
  active,
  screenReader,
  onState,
  onNotice,
  onWatch,
}: {
  name: string;
  active: boolean;
  /** xterm's screen reader mode: the screen's text as an accessible DOM tree. */
  screenReader: boolean;
  onState: (state: ConnectionState) => void;
  /** The server told the learner something that is not shell output (a reset, and by whom). */
  onNotice: (message: string) => void;
  /** Who watches the learner; `answer` replies to a take-over on this terminal's connection. */
  onWatch: (notice: WatchNotice, answer: (answer: Extract<ClientMessage, { t: 'takeover' }>['answer']) => void) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const api = useRef<{ send(data: string): boolean; copy(): void; paste(): Promise<void>; focus(): void; term: Terminal } | null>(null);
  const bridge = useTerminalBridge();
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const emitState = useEffectEvent(onState);
  const emitNotice = useEffectEvent(onNotice);
  const emitWatch = useEffectEvent(onWatch);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const term = new Terminal({ cursorBlink: true, fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', fontSize: 14, scrollback: 5000, theme });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.loadAddon(new WebLinksAddon());
    term.open(element);
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => webgl.dispose());
      term.loadAddon(webgl);
    } catch {
      // No WebGL (headless, old GPU): xterm's DOM renderer is the fallback.
    }
    fit.fit();

    const connection = new TerminalConnection(name, {
      output: (data, rendered) => term.write(data, rendered),
      gap(dropped) {
        term.write(`\r\n\x1b[0;2m[${dropped} chunks of output were not kept while you were away]\x1b[0m\r\n`);
      },
      notice(message) {
        // In the scrollback too: the old machine's output above it is not this machine's.
        // Control characters are dropped: the message names a person, who picked their name.
        term.write(`\r\n\x1b[0;33m[${message.replace(/[\x00-\x1f\x7f-\x9f]/g, '')}]\x1b[0m\r\n`);
        emitNotice(message);
      },
      state: (state) => emitState(state),
      size: () => ({ cols: term.cols, rows: term.rows }),
      watch: (notice) => emitWatch(notice, (answer) => void connection.send({ t: 'takeover', answer })),
    });

    const sendInput = (data: string): boolean => {
      let sent = true;
      for (let i = 0; i < data.length; i += MAX_INPUT_CHARS) sent = connection.send({ t: 'input', data: data.slice(i, i + MAX_INPUT_CHARS) }) && sent;
      return sent;
    };
    const copy = () => {
      if (term.hasSelection()) void navigator.clipboard?.writeText(term.getSelection());
    };
    const paste = async () => {
      const text = await navigator.clipboard?.readText().catch(() => '');
      if (text) term.paste(text);
    };
    api.current = { send: sendInput, copy, paste, focus: () => term.focus(), term };

    term.onData((data) => void sendInput(data));
    term.onResize(({ cols, rows }) => connection.send({ t: 'resize', cols, rows }));
    // Ctrl+Shift+C / Ctrl+Shift+V copy and paste; plain Ctrl+C stays the interrupt.
    term.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
      if (event.code === 'KeyC') {
        copy();
        return false;
      }
      if (event.code === 'KeyV') {
        void paste();
        return false;
      }
      return true;
    });
    const resize = new ResizeObserver(() => {
      if (element.offsetParent !== null) fit.fit();
    });
    resize.observe(element);
    connection.connect();

    return () => {
      resize.disconnect();
      connection.dispose();
      term.dispose();
      api.current = null;
    };
  }, [name]);

  useEffect(() => {
    if (api.current) api.current.term.options.screenReaderMode = screenReader;
  }, [screenReader]);

  useEffect(() => {
    if (!active) return;
    api.current?.focus();
    return bridge.attach({
      send: (command) => api.current?.send(command + '\r') ?? false,
    });
  }, [active, bridge]);

  function openMenu(event: MouseEvent) {
    event.preventDefault();
    setMenu({ x: event.nativeEvent.offsetX, y: event.nativeEvent.offsetY });
  }

  return (
    <div className="terminal-view" hidden={!active} data-terminal={name} onContextMenu={openMenu} onClick={() => setMenu(null)}>
      <div ref={host} className="terminal-host" />
      {menu && (
        <div className="terminal-menu" role="menu" style={{ left: menu.x, top: menu.y }}>
          <button type="button" role="menuitem" onClick={() => api.current?.copy()}>
            Copy <kbd>Ctrl+Shift+C</kbd>
          </button>
          <button type="button" role="menuitem" onClick={() => void api.current?.paste()}>
            Paste <kbd>Ctrl+Shift+V</kbd>
          </button>
        </div>
      )}
    </div>
  );
}
