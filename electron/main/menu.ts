// Application menu: the standard roles plus the views, so a lecturer can switch with the keyboard.
import { Menu, type MenuItemConstructorOptions } from 'electron';
import { confirmAndOpenExternal } from './security.js';

export function setupMenu() {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'togglefullscreen' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'TensorFlow.js documentation', click: () => void confirmAndOpenExternal('https://www.tensorflow.org/js') }],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
