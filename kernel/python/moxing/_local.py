"""The standard library's own file functions, taken before `shift('os', 'mox')` can patch them.

moxing's local branch always calls these, so a shifted `os.listdir` that hands local paths
back to moxing never comes round to itself.
"""
import builtins
import glob
import os
import shutil

open = builtins.open
listdir = os.listdir
makedirs = os.makedirs
mkdir = os.mkdir
exists = os.path.exists
getsize = os.path.getsize
isdir = os.path.isdir
isfile = os.path.isfile
remove = os.remove
rename = os.rename
scandir = os.scandir
stat = os.stat
walk = os.walk
glob_glob = glob.glob
copyfile = shutil.copyfile
copytree = shutil.copytree
rmtree = shutil.rmtree
