# SPDX-License-Identifier: GPL-2.0-or-later
# zsh -f complete.zsh DIR LINE: what zsh's completion (the _vfio-bind in DIR)
# offers for LINE, typed into an interactive zsh on a pseudo-terminal with two
# TABs (one candidate is inserted, more are listed): the screen up to a mark
# printed after it, escapes and all.
zmodload zsh/zpty || exit 1
zpty z 'zsh -f -i'
zpty -w z "PS1='%% '; LISTMAX=100000; fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D; zstyle ':completion:*' list-prompt ''; unsetopt beep; bindkey -e"
zpty -w z "$2"$'\t\t'
# The line is cleared and a mark printed: its output (not its echo, which
# shows $((6 * 7))) comes once the completion is on the screen.
zpty -w z $'\C-u''print VB-MARK-$((6 * 7))'
zpty -r z out '*VB-MARK-42*'
zpty -d z
print -r -- $out
