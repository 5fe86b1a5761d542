'use client';

import type { ReactNode } from 'react';
import { Group, Panel, Separator } from 'react-resizable-panels';
import { MachineChangesProvider } from '../changes/MachineChanges.tsx';
import { TerminalBridgeProvider } from '../terminal/TerminalContext.tsx';
import { LessonChecksProvider } from './LessonChecks.tsx';
import { useMediaQuery } from './useMediaQuery.ts';

/**
 * Lesson text beside the terminal (with the learner's live check results), split by a draggable separator. On a narrow
 * screen the split turns vertical so the terminal sits below the text.
 */
export function LessonWorkspace({ slug, lesson, terminal }: { slug: string; lesson: ReactNode; terminal: ReactNode }) {
  const narrow = useMediaQuery('(max-width: 899px)');
  return (
    <LessonChecksProvider slug={slug}>
      <MachineChangesProvider lesson={slug}>
        <TerminalBridgeProvider>
          <Group className="workspace" orientation={narrow ? 'vertical' : 'horizontal'} data-layout={narrow ? 'stacked' : 'side-by-side'}>
            <Panel id="lesson" defaultSize="55%" minSize="25%" className="workspace-pane lesson-pane">
              {lesson}
            </Panel>
            <Separator className="workspace-separator" aria-label="Resize lesson and terminal" />
            <Panel id="terminal" defaultSize="45%" minSize="20%" className="workspace-pane terminal-pane">
              {terminal}
            </Panel>
          </Group>
        </TerminalBridgeProvider>
      </MachineChangesProvider>
    </LessonChecksProvider>
  );
}
