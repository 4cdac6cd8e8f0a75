#!/fixtures/asm-argv/asm-argv --from-the-script-line
# A script whose interpreter prints its argv: see docs/exec-walkthrough.md.
