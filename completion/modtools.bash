# bash completion for modtools and its commands: options (from each command's --help, plus the
# additions it does not list), module names from the module directory (loaded ones for rmmod
# and modprobe -r), module files for insmod, and modfs's subcommands.
# Registered for `modtools`, and for insmod, rmmod, modprobe, depmod, modinfo and lsmod when
# those names are modtools' links (PATH=…/lib/modtools/bin:$PATH).

_modtools_commands="depmod insmod link lsmod modfs modinfo modprobe rmmod symbolize"

# The options a command's --help lists, once per shell and command; $1 is modtools, or the
# command's own link.
_modtools_help_options() {
    local tool=$1 command=$2 var=_modtools_opts_$2
    if [[ -z ${!var+set} ]]; then
        local help
        if [[ ${tool##*/} == "$command" ]]; then
            help=$("$tool" --help 2>/dev/null)
        else
            help=$("$tool" "$command" --help 2>/dev/null)
        fi
        printf -v "$var" '%s' "$(grep -oE '(^|[[:space:],])--?[[:alnum:]][[:alnum:]-]*' <<<"$help" |
            sed 's/^[[:space:],]*//' | sort -u | tr '\n' ' ')"
    fi
    printf '%s' "${!var}"
}

# What --help does not list: modtools' additions to kmod's command lines.
_modtools_extra_options() {
    case $1 in
        insmod) echo --modfs --timeout ;;
        rmmod) echo --modfs ;;
        modprobe) echo --modfs --json ;;
        lsmod) echo --modfs --json ;;
        modinfo) echo --json ;;
        depmod) echo --index-order ;;
    esac
}

# The value of an option among the words before the cursor (last one wins), e.g. -d or --dirname.
_modtools_option_value() {
    local short=$1 long=$2 i value=
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            "$short" | "$long") value=${COMP_WORDS[i + 1]} ;;
            "$long"=*) value=${COMP_WORDS[i]#*=} ;;
            "$short"?*) [[ $short == -? ]] && value=${COMP_WORDS[i]#"$short"} ;;
        esac
    done
    printf '%s' "$value"
}

# The modfs the loading commands would use: --modfs DIR, else $MODFS, else /run/modfs, if mounted.
_modtools_modfs() {
    local dir
    dir=$(_modtools_option_value --modfs --modfs)
    [[ -n $dir ]] || dir=${MODFS:-/run/modfs}
    [[ -r $dir/version ]] && printf '%s' "$dir"
}

# Names of the modules in a module directory's modules.dep, as kmod names them.
_modtools_installed() {
    local root=$1 version=$2 dep
    dep=$root/lib/modules/$version/modules.dep
    [[ -r $dep ]] || return
    sed -e 's/:.*//' -e 's|.*/||' -e 's/\.ko\(\.[a-z]*\)\{0,1\}$//' -e 'y/-/_/' "$dep"
}

# Loaded modules: the modfs's module directories, else the kernel's /proc/modules.
_modtools_loaded() {
    local modfs
    modfs=$(_modtools_modfs)
    if [[ -n $modfs ]]; then
        local d
        for d in "$modfs"/*/; do
            [[ -e $d/info ]] && { d=${d%/}; printf '%s\n' "${d##*/}"; }
        done
    elif [[ -r /proc/modules ]]; then
        cut -d' ' -f1 /proc/modules
    fi
}

_modtools_release() {
    local version=$1 modfs
    if [[ -z $version ]]; then
        modfs=$(_modtools_modfs)
        if [[ -n $modfs ]]; then
            version=$(<"$modfs/version")
        else
            version=$(uname -r)
        fi
    fi
    printf '%s' "$version"
}

_modtools_versions() {
    local root=$1 d
    for d in "$root"/lib/modules/*/; do
        d=${d%/}
        [[ -d $d ]] && printf '%s\n' "${d##*/}"
    done
}

_modtools_files() {
    local IFS=$'\n'
    COMPREPLY+=($(compgen -f -- "$1"))
    compopt -o filenames 2>/dev/null
}

_modtools_dirs() {
    local IFS=$'\n'
    COMPREPLY+=($(compgen -d -- "$1"))
    compopt -o filenames 2>/dev/null
}

# Completes word COMP_CWORD of a command line whose command is $2 (run through $1).
_modtools_command() {
    local tool=$1 command=$2 cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local IFS=$' \t\n'
    case $command:$prev in
        *:-C | *:--config | link:--symbols | link:--map | link:-o | link:--output | depmod:-F | \
            depmod:--filesyms | depmod:-E | depmod:--symvers)
            _modtools_files "$cur"; return ;;
        *:-d | *:--dirname | *:-b | *:--basedir | *:--modfs)
            _modtools_dirs "$cur"; return ;;
        *:-S | *:--set-version | modinfo:-k)
            COMPREPLY=($(compgen -W "$(_modtools_versions "$(_modtools_option_value -d --dirname)")" -- "$cur"))
            return ;;
        depmod:--index-order)
            COMPREPLY=($(compgen -W "kmod30 kmod34" -- "$cur")); return ;;
        modinfo:-F | modinfo:--field)
            COMPREPLY=($(compgen -W "alias author depends description filename firmware intree license
                name parm retpoline sig_hashalgo sig_id sig_key signature signer softdep srcversion
                vermagic version" -- "$cur"))
            return ;;
        modprobe:-w | modprobe:--wait | link:--base)
            return ;;
    esac
    if [[ $command == modfs ]]; then
        if ((COMP_CWORD == ${_modtools_first:-1})); then
            COMPREPLY=($(compgen -W "mount umount --help" -- "$cur"))
        elif [[ $cur == -* ]]; then
            local sub=${COMP_WORDS[_modtools_first]}
            [[ $sub == mount ]] && COMPREPLY=($(compgen -W "--foreground --help" -- "$cur"))
            [[ $sub == umount ]] && COMPREPLY=($(compgen -W "--help" -- "$cur"))
        else
            _modtools_dirs "$cur"
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_modtools_help_options "$tool" "$command") $(_modtools_extra_options "$command")" \
            -- "$cur"))
        return
    fi
    case $command in
        insmod | link)
            _modtools_files "$cur" ;;
        rmmod)
            COMPREPLY=($(compgen -W "$(_modtools_loaded)" -- "$cur")) ;;
        lsmod) ;;
        modprobe)
            local remove= w
            for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
                [[ $w == --remove || $w =~ ^-[a-zA-Z]*r[a-zA-Z]*$ ]] && remove=1
            done
            if [[ -n $remove ]]; then
                COMPREPLY=($(compgen -W "$(_modtools_loaded)" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(_modtools_installed "$(_modtools_option_value -d --dirname)" \
                    "$(_modtools_release "$(_modtools_option_value -S --set-version)")")" -- "$cur"))
            fi ;;
        modinfo)
            COMPREPLY=($(compgen -W "$(_modtools_installed "$(_modtools_option_value -b --basedir)" \
                "$(_modtools_release "$(_modtools_option_value -k --set-version)")")" -- "$cur"))
            [[ $cur == */* || $cur == .* ]] && _modtools_files "$cur" ;;
        depmod)
            COMPREPLY=($(compgen -W "$(_modtools_versions "$(_modtools_option_value -b --basedir)")" -- "$cur")) ;;
    esac
}

_modtools() {
    local _modtools_first
    if [[ ${COMP_WORDS[0]##*/} == modtools ]]; then
        if ((COMP_CWORD == 1)); then
            COMPREPLY=($(compgen -W "$_modtools_commands --help" -- "${COMP_WORDS[1]}"))
            return
        fi
        _modtools_first=2
        _modtools_command "${COMP_WORDS[0]}" "${COMP_WORDS[1]}"
    else
        _modtools_first=1
        _modtools_command "${COMP_WORDS[0]}" "${COMP_WORDS[0]##*/}"
    fi
}

complete -F _modtools modtools
for _modtools_c in insmod rmmod modprobe depmod modinfo lsmod; do
    [[ $(type -P "$_modtools_c") == */lib/modtools/bin/"$_modtools_c" ]] && complete -F _modtools "$_modtools_c"
done
unset _modtools_c
