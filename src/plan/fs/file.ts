// Stage 2 (plan): a file holding given text, or what nsjail reads from an fd. It is written
// into a small tmpfs of its own, detached, and that one file is cloned onto the destination:
// the kernel will not bind a memfd, and the user's rootfs is never written.
import type { MountSpec } from "../../config/fs/model.ts";
import { AT_EMPTY_PATH, OPEN_TREE, O } from "../../sys/fs-constants.ts";
import { fd, op, type Op } from "../types.ts";
import { attrsOf, newMount } from "./new-mount.ts";
import { attach, how, IN_ROOT, setAttrs, type MountAt } from "./place.ts";

export type FileMount = Extract<MountSpec, { kind: "file" }>;

const NAME = "content";

export function planFile(m: FileMount, at: MountAt): Op[] {
  const fill =
    "text" in m.content
      ? op("write", [fd("file"), m.content.text], at.o(`write the content of ${m.dst}`))
      : op("copy_fd", [fd("file"), m.content.fd], at.o(`copy fd ${m.content.fd} into ${m.dst}`));
  const attrs = attrsOf(m.flags);
  return [
    ...newMount("tmpfs", "tmpfs", "mode=0755", 0, "sub", at.o),
    op("openat2", [fd("file"), fd("sub"), NAME, how(O.WRONLY | O.CREAT | O.EXCL | O.CLOEXEC, m.mode, IN_ROOT)], at.o(`make the file for ${m.dst}`)),
    fill,
    op("close", [fd("file")], at.o(`close the file for ${m.dst}`)),
    op("fchmodat", [fd("sub"), NAME, m.mode], at.o(`chmod ${m.mode.toString(8).padStart(4, "0")} the file for ${m.dst}`)),
    op("open_tree", [fd("mnt"), fd("sub"), NAME, OPEN_TREE.CLONE | OPEN_TREE.CLOEXEC], at.o(`clone the file for ${m.dst}`)),
    op("close", [fd("sub")], at.o(`close the tmpfs of ${m.dst}`)),
    ...(attrs === 0 ? [] : [op("mount_setattr", [fd("mnt"), "", AT_EMPTY_PATH, setAttrs(attrs)], at.o(`set the flags of ${m.dst}`))]),
    ...at.root.target(m.dst, "file", m.create, at.o),
    ...attach("file", m.dst, at.o),
  ];
}
