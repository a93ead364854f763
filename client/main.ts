// Entry point of the `dura` CLI. The commands arrive with the CLI issue.
console.error('dura: not implemented yet');
process.exitCode = 1;
