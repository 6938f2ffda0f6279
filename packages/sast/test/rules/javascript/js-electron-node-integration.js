const win = new BrowserWindow({
  webPreferences: {
    // ruleid: js-electron-node-integration
    nodeIntegration: true,
    // ok: js-electron-node-integration
    nodeIntegrationInWorker: false,
  },
});
