// The hidden GPU window's preload: it exposes nothing to the page but one MessagePort, passed on
// once from the main process (Electron's MessagePort pattern). The page trains over that port; it
// cannot reach ipcRenderer, Node or any other channel.
import { ipcRenderer } from 'electron';

ipcRenderer.once('port', (event) => {
  window.postMessage('transfer-lab:port', '*', event.ports);
});
