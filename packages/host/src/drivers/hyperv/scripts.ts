import type { DomainSpec } from '../../driver.js';
import { domainName } from '../../driver.js';
import { psScript } from './powershell.js';

// Each operation is a fixed body; what varies is passed in as literals (psScript).
// Bodies stay short: the encoded command must fit cmd.exe's 8191 characters.

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export const capacityScript = () =>
  psScript(
    'capacity',
    {},
    `
$h = Get-VMHost
$free = (Get-Item -LiteralPath $h.VirtualHardDiskPath).PSDrive.Free
ConvertTo-Json -Compress -InputObject @{ cpus = $h.LogicalProcessorCount; memoryBytes = $h.MemoryCapacity; diskFreeBytes = $free }`,
  );

export const listScript = () =>
  psScript(
    'list',
    {},
    `
$vms = @(Get-VM | ForEach-Object { @{ name = $_.Name; state = $_.State.ToString() } })
ConvertTo-Json -Compress -InputObject $vms`,
  );

/** A differencing VHDX on the base, a Generation 2 VM with static memory, one adapter per NIC. */
export function defineScript(spec: DomainSpec, disk: string): string {
  const nics = spec.nics.map((nic, i) => ({
    name: `nic${i}`,
    mac: nic.mac.replace(/:/g, '').toUpperCase(),
    switch: nic.bridge ?? '',
  }));
  return psScript(
    'define',
    {
      name: domainName(spec.vmId),
      disk,
      parent: spec.image.path,
      sizeBytes: spec.diskGiB * GIB,
      cpus: spec.cpus,
      memoryBytes: spec.ramMiB * MIB,
      notes: spec.hostname,
      nics,
    },
    `
if (-not (Test-Path -LiteralPath $disk)) { New-VHD -Path $disk -ParentPath $parent -Differencing | Out-Null }
if ((Get-VHD -Path $disk).Size -lt $sizeBytes) { Resize-VHD -Path $disk -SizeBytes $sizeBytes }
$vm = Get-VM -Name $name -ErrorAction SilentlyContinue
if (-not $vm) { $vm = New-VM -Name $name -Generation 2 -MemoryStartupBytes $memoryBytes -VHDPath $disk }
Set-VM -VM $vm -ProcessorCount $cpus -MemoryStartupBytes $memoryBytes -StaticMemory -AutomaticStopAction ShutDown -Notes $notes
Set-VMFirmware -VM $vm -SecureBootTemplate MicrosoftUEFICertificateAuthority
Get-VMNetworkAdapter -VM $vm | Where-Object { $nics.name -notcontains $_.Name } | Remove-VMNetworkAdapter
foreach ($nic in $nics) {
  if (-not (Get-VMNetworkAdapter -VM $vm -Name $nic.name -ErrorAction SilentlyContinue)) { Add-VMNetworkAdapter -VM $vm -Name $nic.name }
  Set-VMNetworkAdapter -VMName $name -Name $nic.name -StaticMacAddress $nic.mac
  if ($nic.switch) { Connect-VMNetworkAdapter -VMName $name -Name $nic.name -SwitchName $nic.switch }
  else { Disconnect-VMNetworkAdapter -VMName $name -Name $nic.name }
}`,
  );
}

export const startScript = (vmId: string) =>
  psScript(
    'start',
    { name: domainName(vmId) },
    `
$vm = Get-VM -Name $name
if ($vm.State -ne 'Running') { Start-VM -VM $vm }`,
  );

/** A guest shutdown through the integration services; turned off if it is not off in time. */
export const stopScript = (vmId: string, timeoutSeconds: number) =>
  psScript(
    'stop',
    { name: domainName(vmId), timeoutSeconds },
    `
$vm = Get-VM -Name $name
if ($vm.State -ne 'Off') {
  $job = Stop-VM -VM $vm -Force -AsJob
  Wait-Job -Job $job -Timeout $timeoutSeconds | Out-Null
  if ((Get-VM -Name $name).State -ne 'Off') { Stop-VM -VM $vm -TurnOff -Force }
  Remove-Job -Job $job -Force
}`,
  );

export const rebootScript = (vmId: string) =>
  psScript(
    'reboot',
    { name: domainName(vmId) },
    `
$vm = Get-VM -Name $name
if ($vm.State -eq 'Running') { Restart-VM -VM $vm -Force } else { Start-VM -VM $vm }`,
  );

/** CPU and memory need the VM off (it is restarted); the disk grows online and never shrinks. */
export function resizeScript(spec: DomainSpec, disk: string): string {
  return psScript(
    'resize',
    {
      name: domainName(spec.vmId),
      disk,
      sizeBytes: spec.diskGiB * GIB,
      cpus: spec.cpus,
      memoryBytes: spec.ramMiB * MIB,
    },
    `
$vm = Get-VM -Name $name
$change = $vm.ProcessorCount -ne $cpus -or $vm.MemoryStartup -ne $memoryBytes
$restart = $change -and $vm.State -eq 'Running'
if ($restart) { Stop-VM -VM $vm -Force }
if ($change) { Set-VM -VM $vm -ProcessorCount $cpus -MemoryStartupBytes $memoryBytes }
if ((Get-VHD -Path $disk).Size -lt $sizeBytes) { Resize-VHD -Path $disk -SizeBytes $sizeBytes }
if ($restart) { Start-VM -VM $vm }`,
  );
}

export const destroyScript = (vmId: string, disk: string) =>
  psScript(
    'destroy',
    { name: domainName(vmId), disk },
    `
$vm = Get-VM -Name $name -ErrorAction SilentlyContinue
if ($vm) {
  if ($vm.State -ne 'Off') { Stop-VM -VM $vm -TurnOff -Force }
  Remove-VM -VM $vm -Force
}
if (Test-Path -LiteralPath $disk) { Remove-Item -LiteralPath $disk -Force }`,
  );
