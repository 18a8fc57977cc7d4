#!/usr/bin/env bash
# Installs what webglip needs on a fresh Debian machine: chromium (WebGPU via SwiftShader), the Vulkan
# loader libvulkan.so.1 that Dawn (the `webgpu` package, WebGPU in Node) loads to reach chromium's
# SwiftShader driver (packages/core/src/runtime/node-gpu.ts), pinned pnpm, locked deps.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
has() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
if ! command -v chromium >/dev/null 2>&1 || ! has libvulkan1; then
  $SUDO apt-get update -qq
fi
if ! command -v chromium >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq chromium >/dev/null
fi
# chromium keeps a private libvulkan.so.1 in /usr/lib/chromium that only it finds; Dawn needs the system one.
# Without recommends: mesa's Vulkan drivers are not needed (SwiftShader serves) and their implicit layer is noisy.
if ! has libvulkan1; then
  $SUDO apt-get install -y -qq --no-install-recommends libvulkan1 >/dev/null
fi
if [ "$(pnpm --version 2>/dev/null || true)" != "12.4.2" ]; then
  $SUDO npm install -g pnpm@12.4.2 >/dev/null
fi
pnpm install --frozen-lockfile
