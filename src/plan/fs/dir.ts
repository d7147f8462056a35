// Stage 2 (plan): a directory, with its mode set after mkdir (which the umask trims).
import type { MountSpec } from "../../config/fs/model.ts";
import { op, type Op } from "../types.ts";
import type { MountAt } from "./place.ts";

export type DirMount = Extract<MountSpec, { kind: "dir" }>;

export function planDir(m: DirMount, at: MountAt): Op[] {
  const mode = m.mode.toString(8).padStart(4, "0");
  at.root.known(m.dst);
  return [
    ...at.root.parents(m.dst, at.o),
    ...at.root.inParent(
      m.dst,
      (dir, name) => [
        op("mkdirat", [dir, name, m.mode], at.o(`make the directory ${m.dst}`)),
        op("fchmodat", [dir, name, m.mode], at.o(`chmod ${mode} ${m.dst}`)),
      ],
      at.o,
    ),
  ];
}
