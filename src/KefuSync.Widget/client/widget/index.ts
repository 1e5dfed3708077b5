// Placeholder entry; the widget is built in src/KefuSync.Widget/client.
export {};
