# funclen.awk: prints "LINES FILE:LINE NAME" for each function of C files in the house
# style (clang-format's: the return type on its own line, the name at the start of the
# next, the body's braces in column one).
FNR == 1 { head = ""; start = 0 }
/^[A-Za-z_][A-Za-z0-9_]*\(/ { head = $0; headline = FNR; next }
/^\{/ { if (head != "") start = headline; next }
/^\}/ {
	if (start) {
		name = head
		sub(/\(.*/, "", name)
		printf "%d %s:%d %s\n", FNR - start + 1, FILENAME, start, name
	}
	head = ""; start = 0
}
