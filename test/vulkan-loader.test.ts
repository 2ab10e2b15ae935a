import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingGpuDeviceNode, missingVulkanLoader } from '../src/vulkan-loader.js';

const none = (): boolean => false;

test('not Linux: never blocks the WebGPU probe', () => {
  assert.equal(missingVulkanLoader({ platform: 'darwin', listing: '', exists: none }), null);
  assert.equal(missingVulkanLoader({ platform: 'win32', listing: null, exists: none }), null);
});

test('Linux: the loader in the ldconfig cache, or in LD_LIBRARY_PATH or a usual directory, lets the probe run', () => {
  const cache = '\tlibvulkan.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libvulkan.so.1\n';
  assert.equal(missingVulkanLoader({ platform: 'linux', listing: cache, exists: none }), null);
  const only = (path: string) => (p: string): boolean => p === path;
  assert.equal(missingVulkanLoader({ platform: 'linux', listing: '', env: { LD_LIBRARY_PATH: '/opt/gpu/lib:/x' }, exists: only('/opt/gpu/lib/libvulkan.so.1') }), null);
  assert.equal(missingVulkanLoader({ platform: 'linux', listing: null, env: {}, arch: 'x64', exists: only('/usr/lib/x86_64-linux-gnu/libvulkan.so.1') }), null);
  assert.equal(missingVulkanLoader({ platform: 'linux', listing: null, env: {}, arch: 'arm64', exists: only('/usr/lib/aarch64-linux-gnu/libvulkan.so.1') }), null);
});

test('Linux without the loader: the reason names the library and the package that provides it', () => {
  const why = missingVulkanLoader({ platform: 'linux', listing: '\tlibm.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libm.so.6\n', env: {}, exists: none });
  assert.match(why ?? '', /no Vulkan loader \(libvulkan\.so\.1\).*libvulkan1/);
});

test('Linux GPU device nodes: a render node, an NVIDIA device or WSL2 lets the probe run; none gives the reason', () => {
  const dirs = (entries: Record<string, string[]>) => (d: string): string[] => entries[d] ?? [];
  assert.equal(missingGpuDeviceNode({ platform: 'darwin', list: dirs({}), exists: none }), null);
  assert.equal(missingGpuDeviceNode({ platform: 'linux', list: dirs({ '/dev/dri': ['card0', 'renderD128'] }), exists: none }), null);
  assert.equal(missingGpuDeviceNode({ platform: 'linux', list: dirs({ '/dev': ['null', 'nvidiactl', 'nvidia0'] }), exists: none }), null);
  assert.equal(missingGpuDeviceNode({ platform: 'linux', list: dirs({}), exists: (p) => p === '/dev/dxg' }), null);
  // nvidiactl alone (driver loaded, no device passed into the container) is not a GPU
  const why = missingGpuDeviceNode({ platform: 'linux', list: dirs({ '/dev/dri': ['card0'], '/dev': ['nvidiactl'] }), exists: none });
  assert.match(why ?? '', /no GPU device node .*--device \/dev\/dri/);
});
