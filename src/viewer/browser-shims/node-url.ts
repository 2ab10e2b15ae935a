/** Browser stand-in for `node:url`'s fileURLToPath: the path part of any URL (the bundle's import.meta.url is http:). */
export function fileURLToPath(url: string | URL): string {
  return decodeURIComponent(new URL(String(url)).pathname);
}
