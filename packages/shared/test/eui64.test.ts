import { describe, expect, it } from 'vitest';
import {
  eui64ToMac,
  isEui64,
  isNuboError,
  macToEui64,
  macToLinkLocal,
  normalizeIpv6,
  normalizeMac,
  parsePrefix64,
} from '../src/index.js';

describe('MAC <-> EUI-64', () => {
  // Cases checked against the kernel: `ip link set dev X address MAC` + `addrgenmode eui64`.
  it.each([
    ['52:54:00:12:34:56', '2001:db8::/64', '2001:db8::5054:ff:fe12:3456'],
    ['52:54:00:12:34:56', 'fe80::/64', 'fe80::5054:ff:fe12:3456'],
    ['00:00:00:00:00:00', 'fd00:1:2:3::/64', 'fd00:1:2:3:200:ff:fe00:0'],
    ['02:00:00:00:00:01', 'fd00::/64', 'fd00::ff:fe00:1'],
    ['ff:ff:ff:ff:ff:ff', '2001:db8:ffff:ffff::/64', '2001:db8:ffff:ffff:fdff:ffff:feff:ffff'],
    ['a0:b1:c2:d3:e4:f5', '2a01:4f8:0:a::/64', '2a01:4f8:0:a:a2b1:c2ff:fed3:e4f5'],
  ])('%s in %s is %s, and back', (mac, prefix, address) => {
    expect(macToEui64(mac, prefix)).toBe(address);
    expect(isEui64(address)).toBe(true);
    expect(eui64ToMac(address)).toBe(mac);
  });

  it('reads the MAC from any textual form of the address, with a zone', () => {
    expect(eui64ToMac('FE80:0000:0000:0000:5054:00FF:FE12:3456%eth0')).toBe('52:54:00:12:34:56');
    expect(macToLinkLocal('52-54-00-AB-CD-EF')).toBe('fe80::5054:ff:feab:cdef');
  });

  it('round-trips random MACs through any /64', () => {
    for (let i = 0; i < 500; i++) {
      const mac = Array.from({ length: 6 }, () =>
        Math.floor(Math.random() * 256)
          .toString(16)
          .padStart(2, '0'),
      ).join(':');
      const prefix = `fd${Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, '0')}:${i.toString(16)}::/64`;
      expect(eui64ToMac(macToEui64(mac, prefix))).toBe(mac);
    }
  });

  it.each(['2001:db8::1', '::ffff:10.0.0.1', 'fe80::1234:5678:9abc:def0'])('%s is not EUI-64', (address) => {
    expect(isEui64(address)).toBe(false);
    expect(() => eui64ToMac(address)).toThrow(expect.objectContaining({ code: 'NUBO_NOT_EUI64' }));
  });

  it.each(['not-an-address', '1.2.3.4', '2001:db8::g', ''])('refuses the address %j', (address) => {
    try {
      eui64ToMac(address);
      expect.unreachable();
    } catch (err) {
      expect(isNuboError(err, 'NUBO_BAD_IPV6')).toBe(true);
    }
  });

  it.each(['2001:db8::/48', '2001:db8::1/64', 'zz::/64', '2001:db8::'])('refuses the prefix %j', (prefix) => {
    expect(() => parsePrefix64(prefix)).toThrow(expect.objectContaining({ code: 'NUBO_BAD_IPV6' }));
  });

  it.each(['52:54:00:12:34', '52:54:00:12:34:5g', '52:54-00:12:34:56', ''])('refuses the MAC %j', (mac) => {
    expect(() => normalizeMac(mac)).toThrow(expect.objectContaining({ code: 'NUBO_BAD_MAC' }));
  });

  it('writes addresses in RFC 5952 form', () => {
    expect(normalizeIpv6('2001:0DB8:0000:0000:0001:0000:0000:0001')).toBe('2001:db8::1:0:0:1');
    expect(normalizeIpv6('::')).toBe('::');
    expect(normalizeIpv6('::ffff:1.2.3.4')).toBe('::ffff:102:304');
  });
});
