/**
 * Where the learner's terminal lives. Until a machine is attached the pane says so
 * plainly; `<Run>` falls back to the clipboard meanwhile.
 */
export function TerminalPane() {
  return (
    <section className="terminal" aria-label="Terminal">
      <header className="terminal-tabs">
        <span className="terminal-tab" aria-current="true">
          learner@machine
        </span>
      </header>
      <div className="terminal-screen" data-state="detached">
        <p>No machine attached to this terminal yet.</p>
      </div>
    </section>
  );
}
