'use client';

import { createContext, useContext, useMemo, useRef, type ReactNode } from 'react';

/** Something that can type a command into the learner's active terminal. */
export interface CommandSink {
  /** Sends `command` followed by Enter; returns false when no terminal is attached. */
  send(command: string): boolean;
}

interface TerminalBridge extends CommandSink {
  /** The terminal pane attaches itself here; the returned function detaches it. */
  attach(sink: CommandSink): () => void;
}

const Bridge = createContext<TerminalBridge | null>(null);

/** Connects `<Run>` buttons in the lesson text with whichever terminal is active. */
export function TerminalBridgeProvider({ children }: { children: ReactNode }) {
  const active = useRef<CommandSink | null>(null);
  const bridge = useMemo<TerminalBridge>(
    () => ({
      send: (command) => active.current?.send(command) ?? false,
      attach(sink) {
        active.current = sink;
        return () => {
          if (active.current === sink) active.current = null;
        };
      },
    }),
    [],
  );
  return <Bridge.Provider value={bridge}>{children}</Bridge.Provider>;
}

export function useTerminalBridge(): TerminalBridge {
  const bridge = useContext(Bridge);
  if (!bridge) throw new Error('useTerminalBridge must be used inside <TerminalBridgeProvider>');
  return bridge;
}
