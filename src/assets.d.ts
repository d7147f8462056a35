// Files embedded by `bun build --compile` through `import x from "…" with { type: "file" }`.
declare module "*.so" {
  const path: string;
  export default path;
}
