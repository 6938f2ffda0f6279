// ruleid: js-electron-context-isolation-off
const a = new BrowserWindow({ webPreferences: { contextIsolation: false } });
// ok: js-electron-context-isolation-off
const b = new BrowserWindow({ webPreferences: { contextIsolation: true, preload } });
