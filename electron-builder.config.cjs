// Installers for Linux (AppImage, deb), Windows (NSIS) and macOS (dmg). Shipped lessons, models and
// data sets travel as extraResources; native modules and wasm binaries are unpacked from the asar.
/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.transferlab.app',
  productName: 'Transfer Lab',
  directories: { output: 'release', buildResources: 'build/resources' },
  files: ['dist/**/*', 'package.json', '!dist/**/*.map'],
  extraResources: [{ from: 'resources', to: 'resources', filter: ['**/*'] }],
  asarUnpack: [
    'node_modules/better-sqlite3/**',
    'node_modules/sharp/**',
    'node_modules/@img/**',
    'node_modules/@tensorflow/tfjs-node/**',
    'node_modules/@tensorflow/tfjs-node-gpu/**',
    'node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm',
  ],
  npmRebuild: true,
  linux: { target: ['AppImage', 'deb'], category: 'Education', maintainer: 'Transfer Lab <team@transferlab.org>' },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], category: 'public.app-category.education' },
};
