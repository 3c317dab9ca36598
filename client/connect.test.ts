import { embeddedTemporal } from './connect';

test("the embedded dev server's ports: 7233 and 8233, or the variables'; a bad port is refused by name", () => {
  expect(embeddedTemporal({})).toEqual({ address: '127.0.0.1:7233', port: 7233, uiPort: 8233 });
  expect(embeddedTemporal({ EMBEDDED_TEMPORAL_PORT: '17233', EMBEDDED_TEMPORAL_UI_PORT: '18233' })).toEqual({
    address: '127.0.0.1:17233',
    port: 17233,
    uiPort: 18233,
  });
  expect(() => embeddedTemporal({ EMBEDDED_TEMPORAL_PORT: '72330' })).toThrow('EMBEDDED_TEMPORAL_PORT: a port (1..65535), not "72330"');
  expect(() => embeddedTemporal({ EMBEDDED_TEMPORAL_UI_PORT: 'eight' })).toThrow(/^EMBEDDED_TEMPORAL_UI_PORT: /);
});
