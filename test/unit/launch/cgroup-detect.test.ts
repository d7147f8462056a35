// Stage 5 (launch): finding our own cgroup from /proc/self/cgroup and /proc/self/mountinfo.
import { expect, test } from "bun:test";
import { parseCgroupPlaces } from "../../../src/launch/cgroup/detect.ts";

const mountinfo = (...lines: string[]) => lines.map((l, i) => `${30 + i} 23 0:${40 + i} ${l}`).join("\n");

test("a hybrid host: v1 controllers, separate cpu and cpuacct, an empty v2 mount", () => {
  const places = parseCgroupPlaces(
    "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/d8ba\n2:cpuacct:/\n1:cpu:/\n0::/\n",
    mountinfo(
      "/ /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
      "/ /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
      "/ /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct",
      "/ /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
      "/ /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
      "/ /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
      "/ /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
    ),
  );
  expect(places.v2).toBe("/sys/fs/cgroup/unified");
  expect(Object.fromEntries(places.v1)).toEqual({
    pids: "/sys/fs/cgroup/pids",
    memory: "/sys/fs/cgroup/memory/process_api/d8ba",
    cpuacct: "/sys/fs/cgroup/cpuacct",
    cpu: "/sys/fs/cgroup/cpu",
  });
});

test("a unified host: our cgroup under the v2 mount; optional fields before the separator", () => {
  const places = parseCgroupPlaces(
    "0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-u7.scope\n",
    mountinfo("/ /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot"),
  );
  expect(places.v2).toBe("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-u7.scope");
  expect(places.v1.size).toBe(0);
});

test("co-mounted v1 controllers share one directory", () => {
  const places = parseCgroupPlaces("3:cpu,cpuacct:/a\n", mountinfo("/ /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct"));
  expect(places.v1.get("cpu")).toBe("/sys/fs/cgroup/cpu,cpuacct/a");
  expect(places.v1.get("cpuacct")).toBe("/sys/fs/cgroup/cpu,cpuacct/a");
});

test("a mount of a sub-tree (a container's view), escaped mount points, our cgroup outside the mount", () => {
  const inside = parseCgroupPlaces("0::/docker/abc/sub\n", mountinfo("/docker/abc /sys/fs/cgroup\\040x rw - cgroup2 cgroup2 rw"));
  expect(inside.v2).toBe("/sys/fs/cgroup x/sub");
  const root = parseCgroupPlaces("0::/docker/abc\n", mountinfo("/docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw"));
  expect(root.v2).toBe("/sys/fs/cgroup");
  const outside = parseCgroupPlaces("0::/docker/abcd\n", mountinfo("/docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw"));
  expect(outside.v2).toBeNull();
});

test("no cgroup mounts, and paths that contain ':'", () => {
  expect(parseCgroupPlaces("0::/\n", mountinfo("/ /proc rw - proc proc rw")).v2).toBeNull();
  expect(parseCgroupPlaces("0::/a:b\n", mountinfo("/ /sys/fs/cgroup rw - cgroup2 cgroup2 rw")).v2).toBe("/sys/fs/cgroup/a:b");
});
