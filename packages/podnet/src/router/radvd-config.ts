/**
 * radvd's configuration for one network's bridge: the /64 for SLAAC and the
 * DNS servers (RDNSS). radvd silently refuses intervals under 3 s.
 */
export function renderRadvd(input: { bridge: string; prefix: string; dns: string[] }): string {
  const rdnss = input.dns.length > 0 ? [`  RDNSS ${input.dns.join(' ')} { };`] : [];
  return [
    `interface ${input.bridge} {`,
    '  AdvSendAdvert on;',
    '  MinRtrAdvInterval 3;',
    '  MaxRtrAdvInterval 10;',
    '  AdvDefaultLifetime 1800;',
    `  prefix ${input.prefix} {`,
    '    AdvOnLink on;',
    '    AdvAutonomous on;',
    '  };',
    ...rdnss,
    '};',
    '',
  ].join('\n');
}
