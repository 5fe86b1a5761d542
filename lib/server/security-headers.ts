/**
 * Headers every response carries, pages and API alike (server.ts sets them first).
 *
 * The pages are prerendered at build time, so Next.js's inline scripts cannot carry a
 * per-request nonce (that needs every page rendered per request): script-src allows
 * inline scripts, as Next.js documents for a policy without nonces. The policy still
 * keeps scripts, styles, images and connections on this site, forbids plugins, <base>
 * and framing, and sends forms nowhere else. Inline styles are needed by Shiki's
 * highlighted code, xterm.js and React's style attributes; `next dev` needs eval.
 */
export function securityHeaders({ dev }: { readonly dev: boolean }): ReadonlyArray<readonly [string, string]> {
  const policy = [
    "default-src 'self'",
    // 'wasm-unsafe-eval': asciinema-player (the recordings' replay) compiles its terminal emulator from WebAssembly; it allows no JavaScript eval.
    `script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // 'self' covers the terminal's ws:/wss: to this origin (CSP level 3, every current browser).
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return [
    ['Content-Security-Policy', policy],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'same-origin'],
  ];
}
