#!/usr/bin/env bash
# Installs what webglip needs on a fresh Debian machine: chromium (WebGPU via SwiftShader), pinned pnpm, locked deps.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v chromium >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ "$(pnpm --version 2>/dev/null || true)" != "12.4.2" ]; then
  $SUDO npm install -g pnpm@12.4.2 >/dev/null
fi
pnpm install --frozen-lockfile
