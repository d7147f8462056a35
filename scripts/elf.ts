// Tooling for the build: the two facts about a compiled trampoline that a release checks — the
// machine it was built for, and that it carries no relocations (it is exec'd as a static PIE
// with no loader to apply them). Reads 64-bit little-endian ELF only, as both targets are.

/** e_machine values of the architectures nsjail ships for. */
export const ELF_MACHINES = { x86_64: 62, aarch64: 183 } as const;
const SHT_RELA = 4;
const SHT_REL = 9;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;

function header(elf: Uint8Array): DataView {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const magic = elf[0] === 0x7f && elf[1] === 0x45 && elf[2] === 0x4c && elf[3] === 0x46;
  if (!magic || elf[4] !== ELFCLASS64 || elf[5] !== ELFDATA2LSB) throw new Error("not a 64-bit little-endian ELF file");
  return view;
}

export function elfMachine(elf: Uint8Array): number {
  return header(elf).getUint16(0x12, true);
}

/** Bytes of relocation entries over every SHT_REL/SHT_RELA section. */
export function relocationBytes(elf: Uint8Array): number {
  const view = header(elf);
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  let bytes = 0;
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    const type = view.getUint32(at + 4, true);
    if (type === SHT_RELA || type === SHT_REL) bytes += Number(view.getBigUint64(at + 0x20, true));
  }
  return bytes;
}
