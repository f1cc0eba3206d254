@echo off
rem 普法小讲堂 工作台 for Windows: double-click this file, or drop a series folder (made with pufa init) on it.
rem The first time it makes .venv and installs pufa (a few minutes); then it starts the studio
rem and opens it in the browser. Close this window (or press Ctrl-C) to stop the studio.
chcp 65001 >nul
cd /d "%~dp0\.."
if not exist ".venv\Scripts\pufa.exe" (
    echo 第一次使用：正在安装，请稍候……
    py -3 -m venv .venv || python -m venv .venv || goto :nopython
    ".venv\Scripts\python.exe" -m pip install --quiet --upgrade pip
    ".venv\Scripts\python.exe" -m pip install --quiet -e . || goto :failed
)
if "%~1"=="" (
    ".venv\Scripts\pufa.exe" studio
) else (
    ".venv\Scripts\pufa.exe" --project "%~1" studio
)
pause
exit /b

:nopython
echo 没有找到 Python。请先从 https://www.python.org/downloads/windows/ 安装 Python 3.11 或更新的版本（安装时勾选 "Add python.exe to PATH"），再双击本文件。
pause
exit /b 1

:failed
echo 安装没有成功，请把上面的信息发给技术人员。
pause
exit /b 1
