// ruleid: js-insecure-websocket
const ws = new WebSocket('ws://chat.example.com/socket');
// ok: js-insecure-websocket
const wss = new WebSocket('wss://chat.example.com/socket');
// ok: js-insecure-websocket
const local = new WebSocket('ws://localhost:8080');
