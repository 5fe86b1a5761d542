/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // The lesson pipeline compiles MDX and highlights code on the server at build time;
  // these packages load grammars and WASM dynamically, so Node should load them as is.
  serverExternalPackages: ['@mdx-js/mdx', '@shikijs/rehype', 'shiki', 'pino'],
  turbopack: { root: import.meta.dirname },
  poweredByHeader: false,
};

export default nextConfig;
